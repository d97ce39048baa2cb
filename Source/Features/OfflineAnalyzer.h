#pragma once

#include "Features/FeatureExtractor.h"
#include "Features/Level.h"

#include <juce_audio_formats/juce_audio_formats.h>

#include <functional>

namespace earshot
{

/** Everything the offline analysis of one file or buffer found. */
struct OfflineAnalysis
{
    TrackSummary summary;
    /** The Level stage's view: per-channel totals, and pipeline counts. */
    Snapshot levels;
    /** The Level stage's statistics per channel (empty when levels were not computed). */
    std::vector<LevelStatistics> levelStatistics;
    /** The families computed: those asked for and their dependencies. */
    FeatureFamilies families = FeatureFamilies::all();
    /** Every frame, when OfflineOptions::keepFrames is set. */
    std::vector<FeatureFrame> frames;
    std::vector<double> onsetTimes, beatTimes, segmentBoundaries;
    std::vector<SilentRegion> silentRegions;
    std::vector<EngineEvent> events;
};

struct OfflineOptions
{
    bool keepFrames = false;
    /** How much is read and analysed at once; results do not depend on it. */
    int blockSize = 4096;
    FeatureSettings settings;
    /** Called now and then with the fraction done (0..1), on the analysing thread. */
    std::function<void (double)> progress;
};

/** Runs the same stages the live pipeline runs (Level, then FeatureExtractor) on
    file data, on the calling thread, without a ring: a file gives the same frames
    whether it was analysed live in small blocks or here in big ones. The Level
    stage runs only when OfflineOptions::settings.families holds levels.
    Any thread but an audio thread; one call per thread at a time per analyzer. */
namespace OfflineAnalyzer
{
/** Analyses everything `reader` holds. @returns false with `error` set if reading failed. */
bool analyse (juce::AudioFormatReader& reader, const OfflineOptions& options, OfflineAnalysis& result,
              juce::String& error);

/** Analyses samples in memory. */
OfflineAnalysis analyse (const juce::AudioBuffer<float>& audio, double sampleRate, const OfflineOptions& options);
} // namespace OfflineAnalyzer

} // namespace earshot
