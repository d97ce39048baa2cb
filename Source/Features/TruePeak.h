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

    Filter: a windowed-sinc low-pass of factor x 12 + 1 taps (49 at 4x) at the upsampled
    rate, cut off at the input's Nyquist frequency, Kaiser window with beta = 6. Cut off
    there, every factor-th tap but the centre one is zero, so phase 0 passes the samples
    through unchanged and is not computed; each other phase is a 12-tap fractional-delay
    filter, scaled to unit gain at DC. Passband within 0.01 dB up to 0.3 fs and
    overshoot below 0.02 dB at any frequency, so a 997 Hz sine reads its amplitude; the
    half-sample phase falls to -1 dB at 0.4 fs, as any 12-tap interpolator must.

    The interpolator delays by 6 input samples: the waveform around the last 6 samples
    of one process() call is measured in the next call. Results depend only on the
    samples, never on how the stream was split into calls.

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

    /** Starts a new stream with the prepared format: clears the peaks and the
        interpolator's memory. Analysis thread; never allocates. */
    void reset() noexcept;

    /** 1, 2, 4, 8 or 16; 0 when not prepared. Any thread that owns the object. */
    int getOversamplingFactor() const noexcept { return factor; }

    /** Whether process() may skip interpolating stretches too quiet to raise the peak
        of the current call (on by default). The results are identical either way; the
        switch lets tests and benchmarks compare. Analysis thread. */
    void setSkipsQuietStretches (bool shouldSkip) noexcept { skipsQuietStretches = shouldSkip; }

private:
    void interpolate (const float* samples, int numFrames, float& callPeak) const noexcept;

    std::vector<float> coefficients; // per computed phase, taps in reverse order
    std::vector<float> buffers;      // per channel: history, then the current chunk
    int factor = 0;
    int numChannels = 0;
    float phaseGainBound = 0.0f; // no phase's output exceeds this times its inputs' largest magnitude
    float lastPeak = 0.0f;
    float peak = 0.0f;
    bool skipsQuietStretches = true;
};

} // namespace earshot
