#pragma once

#include "Features/TrackSummary.h"

namespace earshot
{

/** High-level descriptors in 0..1, computed from the lower-level summary.
    The formulas are deliberately simple and stated, so that a number means the
    same thing to a user reading it as to the recommender using it:

    - energy       = 0.6 * clamp((integratedLufs + 40) / 32) + 0.4 * clamp(onsetRate / 6)
                     (loudness from -40 to -8 LUFS, and up to 6 onsets per second)
    - danceability = clamp(tempoConfidence) * exp(-(log2(tempoBpm / 120))^2 / (2 * 0.4^2))
                     (a clear beat, near the tempo people dance to; 0 without a tempo)
    - brightness   = clamp(log2(centroidMean / 500 Hz) / 4)
                     (spectral centroid from 500 Hz to 8 kHz, on an octave scale)
    - dynamics     = clamp(loudnessRangeLu / 20)
                     (EBU loudness range from 0 to 20 LU)

    clamp() limits to 0..1. Any thread.
*/
namespace Descriptors
{
void compute (TrackSummary& summary) noexcept;
}

} // namespace earshot
