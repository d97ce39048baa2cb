#pragma once

#include <cstdint>
#include <vector>

namespace earshot
{

/** ITU-R BS.1770-4 / EBU R128 loudness: momentary (400 ms), short-term (3 s),
    integrated (gated) and loudness range (EBU Tech 3342), in fixed memory.

    K-weighting: per measured channel, the BS.1770 pre-filter (high shelf) then the
    RLB high-pass, each a biquad in double precision (direct form I, so the feedback
    path is one multiply and one add long). Coefficients for any sample rate come from
    the analogue prototypes behind BS.1770's 48 kHz tables (centre frequency, Q and gain,
    as fitted by libebur128) through the bilinear transform; at 48 kHz they reproduce the
    published coefficients to 1e-9.

    Channels: 0 and 1 are left and right; one channel is dual mono (weight 2, so a mono
    file reads like the stereo file with that signal on both channels). More channels
    follow libebur128's default map: 3 = L R C; 4 = L R Ls Rs; 5 = L R C Ls Rs; 6 or more
    = L R C LFE Ls Rs. L, R, C weigh 1.0, Ls and Rs 1.41; the LFE and any channel after
    the sixth are not measured (not even filtered).

    Windows: the weighted energy of each sample is summed over 100 ms sub-blocks
    (the rounded sample rate / 10 samples, as libebur128 counts them). Momentary and
    short-term loudness are sample-accurate sliding windows: the exact sums of the whole
    sub-blocks inside the window, the partial sum of the current sub-block, and the tail
    of the oldest sub-block summed from the per-sample energies kept for the last 3.1 s.
    Every sum is a fresh sum of non-negative terms, never a running add-and-subtract, so
    there is no drift over long streams and digital silence reads exactly -inf.

    Integrated loudness: 400 ms gating blocks every 100 ms, absolute gate -70 LUFS,
    relative gate -10 LU. Loudness range: 3 s short-term blocks every 100 ms (EBU Tech
    3342 since 2016 asks for at least 10 Hz; libebur128 1.2.6 takes one a second),
    absolute gate -70 LUFS, relative gate -20 LU, 95th less 10th percentile by nearest
    rank (index round ((n - 1) p), as libebur128).

    Both keep blocks in fixed histograms of 0.01 LU bins from -70 to +10 LUFS (louder
    blocks go to the top bin) that hold each bin's count AND the exact sum of its
    blocks' energies. Error bounds, against keeping every block:
    - the relative gates are exact (from the exact energy sums);
    - integrated loudness is exact except for the blocks in the one bin holding the
      relative gate, which pass or fail together (by whether their mean energy passes);
      only blocks within 0.01 LU of the gate can be misjudged, and m of them among n
      passing blocks move the result by at most 10 log10 (1 + m / n) LU;
    - each percentile of the loudness range is the mean energy of the bin holding that
      rank, so within 0.01 LU of the exact block (the range within 0.02 LU), except for
      blocks louder than +10 LUFS.

    Memory, all allocated by prepare(): 8 bytes a sample for 3.1 s (1.1 MB at 44.1 kHz)
    and 256 KB of histograms, whatever the number of channels or the stream's length.
    Below 3.7 kHz the shelf's centre would lie beyond Nyquist; it is put at 0.45 fs, so
    the filters stay stable at any accepted rate. Filter state below 1e-100 is flushed
    to zero at sub-block boundaries, so decaying filters never reach slow denormals.

    process() results depend only on the samples, never on how they were split into
    calls (bit-identical): every update happens per sample or at a sub-block boundary,
    which is a position in the stream. Non-finite samples are measured as silence.

    Thread: one instance per analysis thread. prepare() allocates (call it off the audio
    thread); process(), reset() and the queries never allocate or lock.
*/
class LoudnessMeter final
{
public:
    /** One biquad: y = b0 x + b1 x[-1] + b2 x[-2] - a1 y[-1] - a2 y[-2]. */
    struct Biquad
    {
        double b0, b1, b2, a1, a2;
    };

    /** The two K-weighting stages for `sampleRate`. Any thread. */
    static Biquad preFilter (double sampleRate) noexcept;
    static Biquad rlbHighPass (double sampleRate) noexcept;

    /** Sets up for `numChannels` channels at `sampleRate` Hz and clears everything.
        Returns false (and leaves a meter that ignores its input and reads -inf) for a
        rate outside 16 Hz .. 2.8224 MHz or channels outside 1 .. 64; throws
        std::bad_alloc if memory runs out. Analysis thread, or any thread while no other
        thread uses this object; allocates. */
    bool prepare (double sampleRate, int numChannels);

    /** Starts a new stream with the prepared format. Analysis thread; never allocates. */
    void reset() noexcept;

    /** Measures `numSamples` more samples of each prepared channel (a null channel
        pointer reads as silence). Analysis thread; never allocates. */
    void process (const float* const* channels, int numSamples) noexcept;

    /** LUFS over the last 400 ms / 3 s; -inf until that much audio has been seen, and in
        digital silence. Analysis thread. */
    double momentaryLufs() const noexcept;
    double shortTermLufs() const noexcept;

    /** Gated integrated loudness since prepare() or reset(), LUFS; -inf if every block
        was gated out. Analysis thread. */
    double integratedLufs() const noexcept;

    /** Loudness range since prepare() or reset(), LU; 0 until a 3 s block has passed
        the gates. Analysis thread. */
    double loudnessRangeLu() const noexcept;

    /** Samples in each 100 ms sub-block; 0 when not prepared. Analysis thread. */
    int samplesPer100ms() const noexcept { return subBlockLength; }

private:
    struct ChannelFilter
    {
        double weight = 1.0;
        int channel = 0;
        double x1 = 0.0, x2 = 0.0; // input
        double u1 = 0.0, u2 = 0.0; // pre-filter output = RLB input
        double v1 = 0.0, v2 = 0.0; // RLB output
    };

    /** Block energies (mean weighted square) by loudness, in fixed memory. */
    struct BlockHistogram
    {
        std::vector<uint64_t> counts;
        std::vector<double> energies;
        uint64_t totalCount = 0;
        double totalEnergy = 0.0;

        void clear() noexcept;
        void add (double energy) noexcept;
        /** First bin that passes a relative gate `gateEnergy`, deciding the gate's own bin by its mean. */
        int firstBinPassing (double gateEnergy) const noexcept;
    };

    template <bool isFirst, bool isLast>
    static double filterChannel (ChannelFilter& filter, const Biquad& pre, const Biquad& rlb, const float* input,
                                 double* energies, int numSamples, double sum) noexcept;
    void finishSubBlock() noexcept;
    double windowEnergy (int numSubBlocks) const noexcept;

    std::vector<ChannelFilter> filters; // measured channels only
    std::vector<double> sampleEnergies; // ring of ringSubBlocks sub-blocks of per-sample weighted energies
    std::vector<double> subBlockSums;   // ring of ringSubBlocks sub-block energy sums
    std::vector<float> silence;         // stands in for a null channel pointer
    BlockHistogram gatingBlocks, shortTermBlocks;
    Biquad pre {}, rlb {};
    int numInputChannels = 0;
    int subBlockLength = 0;
    int offsetInSubBlock = 0; // samples of the current sub-block seen so far
    int currentSlot = 0;      // ring slot of the current sub-block
    double currentSum = 0.0;  // energy sum of the current sub-block so far
    int64_t completedSubBlocks = 0;
};

} // namespace earshot
