// Audio file decoding through the offline analysis: the bytes of a file that
// `earshot analyze` (and the catalog scanner) would open, read by the formats the
// CLI registers (WAV, AIFF, FLAC, Ogg Vorbis, MP3) and analysed as the CLI does.
//
// The file is read from memory rather than disk, and at most maxSamples of it
// are analysed: a 100-byte header may promise hours of audio, and analysing them
// would only make each run slow, not find more.

#include "Cli/FileAnalysis.h"
#include "Features/OfflineAnalyzer.h"

#include <cstddef>
#include <cstdint>

namespace
{
constexpr juce::int64 maxSamples = 1 << 15;

juce::AudioFormatManager& formats()
{
    static juce::AudioFormatManager manager;
    static const bool registered = [] { return earshot::cli::registerFormats (manager), true; }();
    juce::ignoreUnused (registered);
    return manager;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput (const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput (const uint8_t* data, size_t size)
{
    std::unique_ptr<juce::AudioFormatReader> reader (
        formats().createReaderFor (std::make_unique<juce::MemoryInputStream> (data, size, false)));
    if (reader == nullptr)
        return 0;

    // What earshot::cli::analyseFile() refuses before it analyses (Host/Cli/FileAnalysis.cpp).
    if (! (reader->sampleRate > 0.0 && reader->sampleRate <= 768000.0) || reader->numChannels == 0 ||
        reader->lengthInSamples <= 0)
        return 0;

    juce::AudioSubsectionReader capped (reader.get(), 0, std::min (reader->lengthInSamples, maxSamples), false);
    earshot::OfflineOptions options;
    options.keepFrames = true;
    earshot::OfflineAnalysis analysis;
    juce::String error;
    if (earshot::OfflineAnalyzer::analyse (capped, options, analysis, error))
    {
        // FeatureFrame's promise: NaN never appears.
        for (const auto& frame : analysis.frames)
            if (std::isnan (frame.rmsDbfs) || std::isnan (frame.momentaryLufs) || std::isnan (frame.spectralCentroidHz))
                __builtin_trap();
    }
    return 0;
}
