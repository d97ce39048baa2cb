#pragma once

#include <vector>

namespace earshot
{

/** True-peak meter after ITU-R BS.1770-4 Annex 2: each channel is oversampled to at
    least 176.4 kHz by a polyphase FIR interpolator, and the meter reports the largest
    magnitude of the interpolated waveform, never less than the largest sample.

    Oversampling factor: the smallest power of two that takes the rate to 176.4 kHz or
    more (4x at 44.1/48 kHz, 2x at 88.2/96 kHz, 1x from 176.4 kHz, where the true peak is
    the sample peak), at most 16x.

    Filter: a Hann-windowed sinc at the upsampled rate, cut off at the input's Nyquist
    frequency, factor x taps-per-phase + 1 taps: 12 taps per phase (49 taps) at 4x, like
    BS.1770's 48-tap example; 24 (49 taps) at 2x, which still costs less than 4x; 12 at
    8x and 16x. At 4x and 2x that is the filter libebur128 uses (which interpolates 4x
    up to 96 kHz), so readings match its true peak to within 0.01 dB at 44.1 and 48 kHz
    and 0.03 dB at 96 kHz (TruePeakTests); Kaiser windows (beta 5 to 8) measured no
    more accurate against known true peaks. Cut off at Nyquist, every factor-th tap
    but the centre one is zero, so phase 0 passes the samples through unchanged and is
    not computed; each other phase is a fractional-delay filter, scaled to unit gain at
    DC. With 12 taps per phase every phase is within 0.05 dB of unity gain up to 0.3 fs
    (a 997 Hz sine reads its amplitude), reads at most 0.1 dB high (at 0.33 fs), and
    the half-sample phase falls to -1 dB at 0.4 fs, as a 12-tap interpolator must;
    with 24 taps, flat to 0.4 fs and -1 dB at 0.45 fs.

    Cost: mirror-image phases share their multiplies (see designPhases() in the .cpp),
    and blocks of 64 outputs vectorise; about 2600x realtime for stereo 44.1 kHz on one
    core, a tenth of libebur128's true peak (Tests/Benchmarks/LoudnessBenchmark.cpp).

    The interpolator lags by half its taps per phase (6 input samples at 4x, 12 at 2x):
    the waveform between the last samples of one process() call is measured in the next
    call. Results depend only on the samples, never on how the stream was split.

    Samples that are NaN, Inf or beyond +-1e30 are measured as silence (they would
    overflow the interpolator), as are magnitudes below 1e-30 (far below any audible
    level; keeping them out avoids slow denormal arithmetic). A result is never NaN
    or Inf.

    Thread: one instance per analysis thread. prepare() allocates (call it off the
    audio thread); process(), reset() and the queries never allocate or lock.
*/
class TruePeak final
{
public:
    /** Sets up for a new stream of `numChannels` channels at `sampleRate` Hz, and clears
        everything. A rate that is not positive and finite, or fewer than one channel,
        leaves a meter that ignores its input and reads 0. Analysis thread, or any thread
        while no other thread uses this object; allocates. */
    void prepare (double sampleRate, int numChannels);

    /** Measures `numSamples` more samples of each prepared channel (a null channel
        pointer reads as silence). Analysis thread; never allocates. */
    void process (const float* const* channels, int numSamples) noexcept;

    /** Highest true peak of any channel over the last process() call, as a linear gain;
        0 before the first call and after a call with no samples. Analysis thread. */
    float lastPeakGain() const noexcept { return lastPeak; }

    /** Highest true peak of any channel since prepare() or reset(), as a linear gain.
        Analysis thread. */
    float peakGain() const noexcept { return peak; }

    /** Largest magnitude of any sample of any channel since prepare() or reset(), as a
        linear gain (phase 0 of the interpolation, measured on the way). Analysis thread. */
    float samplePeakGain() const noexcept { return samplePeak; }

    /** Starts a new stream with the prepared format: clears the peaks and the
        interpolator's memory. Analysis thread; never allocates. */
    void reset() noexcept;

    /** 1, 2, 4, 8 or 16; 0 when not prepared. Analysis thread. */
    int getOversamplingFactor() const noexcept { return factor; }

    /** Whether process() may skip interpolating stretches too quiet to raise the peak
        of the current call (on by default). The results are identical either way; the
        switch lets tests and benchmarks compare. Analysis thread. */
    void setSkipsQuietStretches (bool shouldSkip) noexcept { skipsQuietStretches = shouldSkip; }

private:
    void interpolate (const float* samples, int numFrames, const float* newPeaks, float& callPeak) const noexcept;

    std::vector<float> coefficients; // per computed phase, taps in reverse order
    std::vector<float> buffers;      // per channel: history, then the current chunk
    std::vector<float> blockPeaks;   // per channel: largest magnitude of each block of the chunk
    int factor = 0;
    int tapsPerPhase = 0;
    int numChannels = 0;
    float phaseGainBound = 0.0f; // no phase's output exceeds this times its inputs' largest magnitude
    float lastPeak = 0.0f;
    float peak = 0.0f;
    float samplePeak = 0.0f;
    bool skipsQuietStretches = true;
};

} // namespace earshot
