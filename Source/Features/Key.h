#pragma once

#include "Features/FeatureFrame.h"

#include <string>

namespace earshot
{

/** A musical key: tonic pitch class (C = 0 .. B = 11), mode, and how sure (0..1). */
struct KeyEstimate
{
    int tonic = 0;
    bool isMinor = false;
    float confidence = 0.0f;

    /** "A minor", "F# major" (sharps, never flats). Any thread; allocates. */
    std::string name() const;
};

/** Key and mode from accumulated chroma, Krumhansl–Schmuckler style: the weighted sum
    of all chroma added since reset() is correlated (Pearson) with Temperley's
    Kostka–Payne major and minor key profiles (Temperley 2007) rotated to all 24 tonics;
    the best wins. (These beat the Krumhansl–Kessler ratings on minor cadences, whose
    major dominant and the tonic's 5th partial otherwise pull towards the parallel major.)

    Confidence = (r1 - r2) / (1 - r2), clamped to 0..1, where r1 and r2 are the best and
    second-best correlations: the share of the headroom above the runner-up that the
    winner takes; 0 for a tie (or with nothing added), 1 only for a chroma shaped exactly
    like the winning profile. Because correlation finds a best key in any ripple, it is
    scaled down by v / 0.5 when the chroma's coefficient of variation v (std / mean) is
    below 0.5: white noise (v ~ 0.2) gives < 0.1, while the cadences and scale runs of
    HarmonyTests (v 0.7..1) give 0.3..0.9.

    Thread: one instance per thread; no method allocates or locks. */
class Key final
{
public:
    /** Forgets all chroma added. Thread: the owning thread. */
    void reset() noexcept;

    /** Adds one frame's chroma with `weight` (e.g. the frame's RMS, or 1). Frames with a
        weight that is not finite and positive, or with a non-finite chroma, are skipped.
        Thread: the owning thread (audio-safe). */
    void addChroma (const std::array<float, FeatureFrame::numChroma>& chroma, float weight) noexcept;

    /** The best of the 24 keys for everything added since reset(); tonic C major with
        confidence 0 when nothing (or only silence) was added. Thread: the owning thread. */
    KeyEstimate estimate() const noexcept;

    /** Pearson correlation (-1..1) of the accumulated chroma with the profile of one key;
        0 when nothing was added. Thread: the owning thread. */
    double correlation (int tonic, bool isMinor) const noexcept;

    /** The accumulated weighted chroma, C first. Thread: the owning thread. */
    const std::array<double, FeatureFrame::numChroma>& profile() const noexcept { return accumulated; }

private:
    std::array<double, FeatureFrame::numChroma> accumulated {};
};

} // namespace earshot
