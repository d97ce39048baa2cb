#pragma once

#include "Features/FeatureFamilies.h"
#include "Features/FeatureFrame.h"

#include <string>
#include <vector>

namespace earshot
{

/** Mean and standard deviation of a feature over the frames summarised. */
struct FeatureStatistic
{
    float mean = 0.0f;
    float deviation = 0.0f;
};

/** What a whole track (or, live, the recent past) sounds like: the vector the
    recommender embeds, and what `earshot analyze` prints. Plain data.

    Descriptors are in 0..1 (see Descriptors.h for their formulas). Levels are
    dBFS/LUFS/dBTP, -inf for silence.
*/
struct TrackSummary
{
    double durationSeconds = 0.0;
    double sampleRate = 0.0;
    int numChannels = 0;

    // Level and loudness
    float integratedLufs = FeatureFrame::noLevel;
    float loudnessRangeLu = 0.0f;
    float truePeakDbtp = FeatureFrame::noLevel;
    float samplePeakDbfs = FeatureFrame::noLevel;
    float rmsDbfs = FeatureFrame::noLevel;
    /** Sample peak minus RMS, dB; 0 in silence. */
    float crestFactorDb = 0.0f;
    /** Mean sample value of the channel furthest from zero (DC offset), linear. */
    float dcOffset = 0.0f;
    uint64_t clippedSamples = 0;

    // Spectrum (over frames that are not silent)
    FeatureStatistic spectralCentroidHz, spectralSpreadHz, spectralRolloffHz, spectralFlatness, spectralFlux,
        zeroCrossingRate;

    // Timbre and harmony
    std::array<float, FeatureFrame::numMfcc> mfccMean {}, mfccDeviation {};
    /** Chroma profile of the whole, summing to 1. */
    std::array<float, FeatureFrame::numChroma> chroma {};
    int keyTonic = 0;
    bool keyIsMinor = false;
    float keyConfidence = 0.0f;

    // Rhythm
    float tempoBpm = 0.0f;
    float tempoConfidence = 0.0f;
    float onsetRate = 0.0f;

    // Stereo
    float stereoCorrelation = 0.0f, stereoWidth = 0.0f, stereoBalance = 0.0f;

    // High-level descriptors, 0..1
    float energy = 0.0f, danceability = 0.0f, brightness = 0.0f, dynamics = 0.0f;

    double silentSeconds = 0.0;

    /** "A minor"; empty when no key was found. */
    std::string keyName() const;

    /** The summary as numbers, in the order of vectorNames(): what the recommender embeds.
        Levels of silence (-inf) are given as -100 so the vector stays finite. */
    std::vector<float> toVector() const;
    static const std::vector<std::string>& vectorNames();
    /** The family each entry of toVector() belongs to, in the same order. */
    static const std::vector<FeatureFamily>& vectorFamilies();
};

/** Accumulates frames into a TrackSummary's spectral, timbre and chroma statistics,
    optionally forgetting older frames (a half-life in seconds; 0 keeps everything).
    Thread: one instance per analysis thread; add() never allocates. */
class SummaryAccumulator final
{
public:
    void reset (double frameRate, double halfLifeSeconds);
    void add (const FeatureFrame& frame) noexcept;

    /** Writes the statistics it keeps into `summary` (the other fields are left alone). */
    void writeTo (TrackSummary& summary) const noexcept;

private:
    static constexpr int numScalars = 6;
    static constexpr int numValues = numScalars + FeatureFrame::numMfcc;

    double decay = 1.0;
    double weight = 0.0;
    std::array<double, numValues> sums {}, squares {};
    std::array<double, FeatureFrame::numChroma> chromaSums {};
};

} // namespace earshot
