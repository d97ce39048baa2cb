#pragma once

#include "Features/TrackSummary.h"

#include <juce_core/juce_core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>

namespace earshot
{

/** The catalog's lossless text form of a TrackSummary: one JSON object with every
    field by name, numbers to 17 significant digits (floats and doubles come back
    bit-identical), -inf/inf/NaN as the strings "-inf"/"inf"/"nan". A field missing
    from stored JSON (written before it existed) keeps its default, so adding a field
    to TrackSummary needs no schema migration, only a line in visitSummaryFields().
    Header-only because the catalog is its only user. Any thread. */
namespace SummaryJson
{
/** Calls `visit (name, field)` for every field of `summary` (const or not). */
template <typename Summary, typename Visitor>
void visitSummaryFields (Summary& s, Visitor&& visit)
{
    visit ("durationSeconds", s.durationSeconds);
    visit ("sampleRate", s.sampleRate);
    visit ("numChannels", s.numChannels);
    visit ("integratedLufs", s.integratedLufs);
    visit ("loudnessRangeLu", s.loudnessRangeLu);
    visit ("truePeakDbtp", s.truePeakDbtp);
    visit ("samplePeakDbfs", s.samplePeakDbfs);
    visit ("rmsDbfs", s.rmsDbfs);
    visit ("crestFactorDb", s.crestFactorDb);
    visit ("dcOffset", s.dcOffset);
    visit ("clippedSamples", s.clippedSamples);
    visit ("spectralCentroidHz", s.spectralCentroidHz);
    visit ("spectralSpreadHz", s.spectralSpreadHz);
    visit ("spectralRolloffHz", s.spectralRolloffHz);
    visit ("spectralFlatness", s.spectralFlatness);
    visit ("spectralFlux", s.spectralFlux);
    visit ("zeroCrossingRate", s.zeroCrossingRate);
    visit ("mfccMean", s.mfccMean);
    visit ("mfccDeviation", s.mfccDeviation);
    visit ("chroma", s.chroma);
    visit ("keyTonic", s.keyTonic);
    visit ("keyIsMinor", s.keyIsMinor);
    visit ("keyConfidence", s.keyConfidence);
    visit ("tempoBpm", s.tempoBpm);
    visit ("tempoConfidence", s.tempoConfidence);
    visit ("onsetRate", s.onsetRate);
    visit ("stereoCorrelation", s.stereoCorrelation);
    visit ("stereoWidth", s.stereoWidth);
    visit ("stereoBalance", s.stereoBalance);
    visit ("energy", s.energy);
    visit ("danceability", s.danceability);
    visit ("brightness", s.brightness);
    visit ("dynamics", s.dynamics);
    visit ("silentSeconds", s.silentSeconds);
}

inline juce::var number (double value)
{
    if (std::isfinite (value))
        return value;
    return std::isnan (value) ? "nan" : (value < 0.0 ? "-inf" : "inf");
}

inline double number (const juce::var& value, double fallback)
{
    if (value.isString())
    {
        const auto text = value.toString();
        if (text == "nan")
            return std::numeric_limits<double>::quiet_NaN();
        return (text.startsWith ("-") ? -1.0 : 1.0) * std::numeric_limits<double>::infinity();
    }
    return value.isVoid() ? fallback : static_cast<double> (value);
}

struct Writer
{
    juce::DynamicObject& object;

    void operator() (const char* name, double value) { object.setProperty (name, number (value)); }
    void operator() (const char* name, float value) { object.setProperty (name, number (value)); }
    void operator() (const char* name, int value) { object.setProperty (name, value); }
    void operator() (const char* name, bool value) { object.setProperty (name, value); }
    void operator() (const char* name, uint64_t value) { object.setProperty (name, static_cast<juce::int64> (value)); }
    void operator() (const char* name, const FeatureStatistic& value)
    {
        object.setProperty (name, juce::Array<juce::var> { number (value.mean), number (value.deviation) });
    }
    template <size_t size>
    void operator() (const char* name, const std::array<float, size>& values)
    {
        juce::Array<juce::var> list;
        for (auto value : values)
            list.add (number (value));
        object.setProperty (name, list);
    }
};

struct Reader
{
    const juce::var& object;

    void operator() (const char* name, double& value) { value = number (object[name], value); }
    void operator() (const char* name, float& value)
    {
        value = static_cast<float> (number (object[name], static_cast<double> (value)));
    }
    void operator() (const char* name, int& value)
    {
        if (! object[name].isVoid())
            value = static_cast<int> (object[name]);
    }
    void operator() (const char* name, bool& value)
    {
        if (! object[name].isVoid())
            value = static_cast<bool> (object[name]);
    }
    void operator() (const char* name, uint64_t& value)
    {
        if (! object[name].isVoid())
            value = static_cast<uint64_t> (static_cast<juce::int64> (object[name]));
    }
    void operator() (const char* name, FeatureStatistic& value)
    {
        // A damaged or forged catalog may hold anything here: index only a real array.
        const auto& pair = object[name];
        if (! pair.isArray() || pair.size() < 2)
            return;
        value.mean = static_cast<float> (number (pair[0], static_cast<double> (value.mean)));
        value.deviation = static_cast<float> (number (pair[1], static_cast<double> (value.deviation)));
    }
    template <size_t size>
    void operator() (const char* name, std::array<float, size>& values)
    {
        const auto& list = object[name];
        if (! list.isArray())
            return;
        for (size_t i = 0; i < std::min (size, static_cast<size_t> (list.size())); ++i)
            values[i] = static_cast<float> (number (list[static_cast<int> (i)], static_cast<double> (values[i])));
    }
};

inline std::string toJson (const TrackSummary& summary)
{
    auto object = juce::DynamicObject::Ptr (new juce::DynamicObject());
    visitSummaryFields (summary, Writer { *object });
    return juce::JSON::toString (juce::var (object.get()), true).toStdString();
}

/** @returns the summary, with defaults for whatever `json` lacks. */
inline TrackSummary fromJson (const std::string& json)
{
    const auto object = juce::JSON::parse (juce::String::fromUTF8 (json.c_str(), static_cast<int> (json.size())));
    TrackSummary summary;
    visitSummaryFields (summary, Reader { object });
    return summary;
}
} // namespace SummaryJson

} // namespace earshot
