#pragma once

#include "Features/OfflineAnalyzer.h"

#include <juce_audio_formats/juce_audio_formats.h>

#include <optional>

namespace earshot::cli
{

/** What the analysis found in one file. */
struct FileReport
{
    juce::File file;
    juce::String formatName;
    double sampleRate = 0.0;
    int numChannels = 0;
    int64_t lengthInSamples = 0;
    double durationSeconds = 0.0;
    OfflineAnalysis analysis;
    /** The families asked for: what the report prints (the analysis may hold more,
        computed as their dependencies). */
    FeatureFamilies families = FeatureFamilies::all();
};

/** Reads `file` and runs the offline analysis on it. Any thread but an audio thread.
    @returns the report, or nothing with `error` saying why (one line, no file name). */
std::optional<FileReport> analyseFile (const juce::File& file, juce::AudioFormatManager& formats,
                                       const OfflineOptions& options, juce::String& error);

/** The formats `earshot` reads: WAV, AIFF, FLAC, Ogg Vorbis, MP3. */
void registerFormats (juce::AudioFormatManager& formats);

} // namespace earshot::cli
