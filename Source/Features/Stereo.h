#pragma once

#include <cstdint>

namespace earshot
{

/** Stereo image of what was accumulated: correlation -1..1 (1 = mono-compatible,
    -1 = out of phase), width 0..1 (side energy / (mid + side) energy), balance
    -1 (all left) .. +1 (all right) by energy. All 0 for silence; never NaN. */
struct StereoImage
{
    float correlation = 0.0f;
    float width = 0.0f;
    float balance = 0.0f;
};

/** Accumulates left/right sums for the stereo image of a stretch of audio.

    correlation = sumLR / sqrt (sumLL * sumRR) (0 when either side is silent),
    width = side / (mid + side) energy with mid = (L + R) / 2, side = (L - R) / 2,
    balance = (sumRR - sumLL) / (sumRR + sumLL). Non-finite samples count as silence.

    A mono stream has no stereo image: leave it out (the image stays 0 / 0 / 0, as
    FeatureFrame reports for mono), or pass the same pointer twice to measure it as
    a centred source (correlation 1, width 0, balance 0).

    Thread: one instance per analysis thread; never allocates.
*/
class Stereo final
{
public:
    /** Forgets everything accumulated. Analysis thread. */
    void reset() noexcept;

    /** Adds samples of both channels. Analysis thread. */
    void process (const float* left, const float* right, int numSamples) noexcept;

    /** The image of everything since the last reset(). Analysis thread. */
    StereoImage image() const noexcept;

private:
    double sumLL = 0.0, sumRR = 0.0, sumLR = 0.0;
};

} // namespace earshot
