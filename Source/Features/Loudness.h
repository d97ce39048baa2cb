#pragma once

#include <memory>

namespace earshot
{

/** EBU R128 loudness (momentary 400 ms, short-term 3 s, integrated with gating,
    loudness range per EBU Tech 3342) through LoudnessMeter, and BS.1770-4 true peak
    through TruePeak. Both replaced libebur128 here, each measured against it (as
    accurate and several times faster) in the same benchmark run:
    Tests/Benchmarks/LoudnessBenchmark.cpp; the tests check agreement with it.

    Feed the stream with process() in pieces of any size: results depend only on
    the samples, never on how they were split. Channels 0 and 1 are left and
    right; a mono stream is measured as dual mono (counted twice, so a mono file
    reads the same as the stereo file with that signal on both channels).
    More channels follow libebur128's default map: 3 = L R C; 4 = L R Ls Rs;
    5 = L R C Ls Rs; 6 or more = L R C LFE Ls Rs, where the LFE and any channel
    after the sixth are not measured for loudness (they still count for peaks).

    Memory stays fixed however long the stream runs. Momentary and short-term loudness
    are exact; integrated loudness is exact but for the blocks within 0.01 LU of its
    relative gate, and each end of the loudness range is within 0.01 LU of the exact
    block (see LoudnessMeter for the bounds). The range takes a 3 s block every 100 ms,
    as EBU Tech 3342 asks since 2016; libebur128 1.2.6 took one a second, which reads
    differently where loudness changes within a second (by 0.16 LU on 0.7 s level steps).

    Non-finite input samples (NaN, Inf) are measured as silence, so one bad sample
    cannot poison the filters for the rest of the stream. The peaks (see TruePeak) also
    read magnitudes beyond 1e30 or below 1e-30 as silence.

    If prepare() cannot set up the meter (sample rate outside 16 Hz .. 2.8224 MHz,
    channels outside 1 .. 64, or no memory), the object stays usable: process()
    ignores its input and every level reads -inf (the loudness range reads 0).

    Thread: one instance per analysis thread. prepare() allocates (call it off the
    audio thread); process() and the queries never allocate or lock.
*/
class Loudness final
{
public:
    Loudness();
    ~Loudness();

    /** Resets everything for a new stream. Analysis thread, or any thread while no
        other thread uses this object; allocates. */
    void prepare (double sampleRate, int numChannels);

    /** Adds `numSamples` samples of each of the prepared channels (a null channel
        pointer reads as silence). Analysis thread; never allocates. */
    void process (const float* const* channels, int numSamples) noexcept;

    /** LUFS over the last 400 ms / 3 s; -inf until there is enough audio, or in digital silence.
        Analysis thread. */
    float momentaryLufs() const noexcept;
    float shortTermLufs() const noexcept;

    /** Gated integrated loudness since prepare(), LUFS; -inf if everything was gated out.
        Analysis thread. */
    float integratedLufs() const noexcept;

    /** Loudness range since prepare(), LU (EBU Tech 3342); 0 until a 3 s block passed
        the gates. Analysis thread. */
    float loudnessRangeLu() const noexcept;

    /** Highest true peak (oversampled to 176.4 kHz or more, see TruePeak) of any channel
        since prepare(), dBTP; never below the sample peak. -inf for digital silence.
        Analysis thread. */
    float truePeakDbtp() const noexcept;

    /** Highest true peak of any channel over the last process() call, as a linear gain
        (0 before the first call and after a call with no samples). The interpolated
        waveform lags the samples by the interpolator's delay (6 samples at 44.1 and
        48 kHz): between a call's last samples it is measured in the next call.
        Analysis thread. */
    float lastTruePeakGain() const noexcept;

    /** Added: highest sample peak of any channel since prepare(), dBFS; -inf for
        digital silence. Shows how far true peak reads above the samples. Analysis thread. */
    float samplePeakDbfs() const noexcept;

private:
    struct State;
    std::unique_ptr<State> state;
};

} // namespace earshot
