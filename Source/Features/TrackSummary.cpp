#include "Features/TrackSummary.h"

#include "Features/Key.h"

#include <algorithm>
#include <cmath>

namespace earshot
{
namespace
{
float finiteLevel (float level) noexcept
{
    return std::isfinite (level) ? level : -100.0f;
}
} // namespace

std::string TrackSummary::keyName() const
{
    if (keyConfidence <= 0.0f)
        return {};
    return KeyEstimate { keyTonic, keyIsMinor, keyConfidence }.name();
}

const std::vector<std::string>& TrackSummary::vectorNames()
{
    static const std::vector<std::string> names = []
    {
        std::vector<std::string> list { "integratedLufs", "loudnessRangeLu",   "truePeakDbtp", "crestFactorDb",
                                        "centroidMean",   "centroidDeviation", "spreadMean",   "rolloffMean",
                                        "flatnessMean",   "fluxMean",          "zcrMean" };
        for (int i = 0; i < FeatureFrame::numMfcc; ++i)
            list.push_back ("mfccMean" + std::to_string (i));
        for (int i = 0; i < FeatureFrame::numMfcc; ++i)
            list.push_back ("mfccDeviation" + std::to_string (i));
        for (int i = 0; i < FeatureFrame::numChroma; ++i)
            list.push_back ("chroma" + std::to_string (i));
        for (const auto* name :
             { "keyTonic", "keyIsMinor", "keyConfidence", "tempoBpm", "tempoConfidence", "onsetRate",
               "stereoCorrelation", "stereoWidth", "energy", "danceability", "brightness", "dynamics" })
            list.emplace_back (name);
        return list;
    }();
    return names;
}

const std::vector<FeatureFamily>& TrackSummary::vectorFamilies()
{
    static const std::vector<FeatureFamily> families = []
    {
        using F = FeatureFamily;
        std::vector<FeatureFamily> list;
        auto add = [&list] (FeatureFamily family, int count)
        {
            for (int i = 0; i < count; ++i)
                list.push_back (family);
        };
        add (F::loudness, 3);
        add (F::levels, 1);
        add (F::spectrum, 7);
        add (F::harmony, 2 * FeatureFrame::numMfcc + FeatureFrame::numChroma + 3);
        add (F::rhythm, 3);
        add (F::stereo, 2);
        add (F::descriptors, 4);
        return list;
    }();
    return families;
}

std::vector<float> TrackSummary::toVector() const
{
    std::vector<float> v { finiteLevel (integratedLufs), loudnessRangeLu,
                           finiteLevel (truePeakDbtp),   crestFactorDb,
                           spectralCentroidHz.mean,      spectralCentroidHz.deviation,
                           spectralSpreadHz.mean,        spectralRolloffHz.mean,
                           spectralFlatness.mean,        spectralFlux.mean,
                           zeroCrossingRate.mean };
    v.insert (v.end(), mfccMean.begin(), mfccMean.end());
    v.insert (v.end(), mfccDeviation.begin(), mfccDeviation.end());
    v.insert (v.end(), chroma.begin(), chroma.end());
    for (auto value :
         { static_cast<float> (keyTonic), keyIsMinor ? 1.0f : 0.0f, keyConfidence, tempoBpm, tempoConfidence, onsetRate,
           stereoCorrelation, stereoWidth, energy, danceability, brightness, dynamics })
        v.push_back (value);
    return v;
}

void SummaryAccumulator::reset (double frameRate, double halfLifeSeconds)
{
    decay = halfLifeSeconds > 0.0 ? std::pow (0.5, 1.0 / (halfLifeSeconds * frameRate)) : 1.0;
    weight = 0.0;
    sums.fill (0.0);
    squares.fill (0.0);
    chromaSums.fill (0.0);
}

void SummaryAccumulator::add (const FeatureFrame& frame) noexcept
{
    const double values[numScalars] = { frame.spectralCentroidHz, frame.spectralSpreadHz, frame.spectralRolloffHz,
                                        frame.spectralFlatness,   frame.spectralFlux,     frame.zeroCrossingRate };

    weight = weight * decay + 1.0;
    for (size_t i = 0; i < numValues; ++i)
    {
        const auto value = i < numScalars ? values[i] : static_cast<double> (frame.mfcc[i - numScalars]);
        sums[i] = sums[i] * decay + value;
        squares[i] = squares[i] * decay + value * value;
    }
    for (size_t c = 0; c < chromaSums.size(); ++c)
        chromaSums[c] = chromaSums[c] * decay + static_cast<double> (frame.chroma[c]);
}

void SummaryAccumulator::writeTo (TrackSummary& summary) const noexcept
{
    auto statistic = [this] (size_t i)
    {
        if (weight <= 0.0)
            return FeatureStatistic {};
        const auto mean = sums[i] / weight;
        const auto variance = std::max (0.0, squares[i] / weight - mean * mean);
        return FeatureStatistic { static_cast<float> (mean), static_cast<float> (std::sqrt (variance)) };
    };

    summary.spectralCentroidHz = statistic (0);
    summary.spectralSpreadHz = statistic (1);
    summary.spectralRolloffHz = statistic (2);
    summary.spectralFlatness = statistic (3);
    summary.spectralFlux = statistic (4);
    summary.zeroCrossingRate = statistic (5);
    for (size_t i = 0; i < summary.mfccMean.size(); ++i)
    {
        const auto s = statistic (numScalars + i);
        summary.mfccMean[i] = s.mean;
        summary.mfccDeviation[i] = s.deviation;
    }

    double total = 0.0;
    for (auto value : chromaSums)
        total += value;
    for (size_t c = 0; c < chromaSums.size(); ++c)
        summary.chroma[c] = total > 0.0 ? static_cast<float> (chromaSums[c] / total) : 0.0f;
}

} // namespace earshot
