#include "Features/Descriptors.h"

#include <algorithm>
#include <cmath>

namespace earshot::Descriptors
{
namespace
{
float clamp01 (double value) noexcept
{
    return std::isfinite (value) ? static_cast<float> (std::clamp (value, 0.0, 1.0)) : 0.0f;
}
} // namespace

void compute (TrackSummary& summary) noexcept
{
    const auto loudness = std::isfinite (summary.integratedLufs) ? (summary.integratedLufs + 40.0) / 32.0 : 0.0;
    summary.energy = 0.6f * clamp01 (loudness) + 0.4f * clamp01 (summary.onsetRate / 6.0);

    if (summary.tempoBpm > 0.0f)
    {
        const auto octaves = std::log2 (summary.tempoBpm / 120.0);
        summary.danceability = clamp01 (summary.tempoConfidence * std::exp (-octaves * octaves / (2.0 * 0.4 * 0.4)));
    }
    else
    {
        summary.danceability = 0.0f;
    }

    const auto centroid = summary.spectralCentroidHz.mean;
    summary.brightness = centroid > 0.0f ? clamp01 (std::log2 (centroid / 500.0) / 4.0) : 0.0f;
    summary.dynamics = clamp01 (summary.loudnessRangeLu / 20.0);
}

} // namespace earshot::Descriptors
