#pragma once

#include "Recommend/TrackRecord.h"

#include <random>
#include <string>
#include <vector>

namespace earshot::test
{

/** What the tracks of one generated family share. */
struct TrackFamily
{
    float tempoBpm;
    int keyTonic;
    bool keyIsMinor;
    /** Centre of the family's MFCC means, and its spectral centroid. */
    std::array<float, FeatureFrame::numMfcc> mfcc;
    float centroidHz;
};

/** A plausible summary: everything the families do not set is drawn independently
    per track (level, dynamics, stereo, onset rate...), so it is noise to the search. */
inline TrackSummary randomSummary (std::mt19937& random)
{
    std::normal_distribution<float> normal;
    std::uniform_real_distribution<float> unit;
    TrackSummary s;
    s.durationSeconds = 240.0;
    s.sampleRate = 44100.0;
    s.numChannels = 2;
    s.integratedLufs = -12.0f + 3.0f * normal (random);
    s.loudnessRangeLu = 6.0f + 2.0f * unit (random);
    s.truePeakDbtp = s.integratedLufs + 11.0f;
    s.crestFactorDb = 12.0f + 2.0f * normal (random);
    s.spectralCentroidHz = { 2000.0f + 300.0f * normal (random), 300.0f };
    s.spectralSpreadHz = { 1500.0f + 200.0f * normal (random), 200.0f };
    s.spectralRolloffHz = { 5000.0f + 800.0f * normal (random), 500.0f };
    s.spectralFlatness = { 0.2f + 0.05f * normal (random), 0.05f };
    s.spectralFlux = { 0.1f + 0.03f * normal (random), 0.02f };
    s.zeroCrossingRate = { 0.08f + 0.02f * normal (random), 0.01f };
    for (size_t i = 0; i < s.mfccMean.size(); ++i)
    {
        s.mfccMean[i] = 10.0f * normal (random);
        s.mfccDeviation[i] = 4.0f + unit (random);
    }
    s.keyTonic = static_cast<int> (random() % 12);
    s.keyIsMinor = random() % 2 == 1;
    s.keyConfidence = 0.5f;
    s.tempoBpm = 70.0f + 100.0f * unit (random);
    s.tempoConfidence = 0.8f;
    s.onsetRate = 3.0f + normal (random);
    s.stereoWidth = unit (random);
    s.energy = unit (random);
    s.danceability = unit (random);
    s.brightness = unit (random);
    s.dynamics = unit (random);
    return s;
}

/** 4 families of distinct tempo, key and timbre. */
inline std::vector<TrackFamily> fourFamilies()
{
    return { { 124.0f, 9, true, { -200, 80, -20, 15, 10, -5, 8, 0, 3, -2, 4, 1, 0 }, 2800.0f },
             { 87.0f, 2, false, { -260, 120, 10, -15, -8, 6, -4, 5, -3, 2, 0, -2, 3 }, 1400.0f },
             { 140.0f, 6, true, { -180, 60, -35, 25, 0, 10, -10, -6, 6, 4, -3, 5, -4 }, 3600.0f },
             { 100.0f, 10, false, { -240, 100, 25, 0, 18, -12, 2, 8, -8, -4, 6, -5, 2 }, 2100.0f } };
}

/** A member of `family`: its tempo within +-2 BPM, its key, its timbre with noise,
    the rest random. */
inline TrackSummary familyMember (const TrackFamily& family, std::mt19937& random)
{
    std::normal_distribution<float> normal;
    auto s = randomSummary (random);
    s.tempoBpm = family.tempoBpm + normal (random);
    s.keyTonic = family.keyTonic;
    s.keyIsMinor = family.keyIsMinor;
    for (size_t i = 0; i < s.mfccMean.size(); ++i)
        s.mfccMean[i] = family.mfcc[i] + 3.0f * normal (random);
    s.spectralCentroidHz.mean = family.centroidHz + 150.0f * normal (random);
    return s;
}

/** `perFamily` tracks of each family, ids 1.., paths "/music/<family>/<n>.wav";
    family f holds ids f * perFamily + 1 .. (f + 1) * perFamily. */
inline std::vector<TrackRecord> familyCatalog (const std::vector<TrackFamily>& families, int perFamily,
                                               unsigned seed = 7)
{
    std::mt19937 random (seed);
    std::vector<TrackRecord> tracks;
    for (size_t f = 0; f < families.size(); ++f)
        for (int n = 0; n < perFamily; ++n)
        {
            TrackRecord t;
            t.id = static_cast<int64_t> (tracks.size()) + 1;
            t.path = "/music/" + std::to_string (f) + "/" + std::to_string (n) + ".wav";
            t.summary = familyMember (families[f], random);
            t.features = t.summary.toVector();
            tracks.push_back (t);
        }
    return tracks;
}

} // namespace earshot::test
