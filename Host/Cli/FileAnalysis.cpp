#include "Cli/FileAnalysis.h"

namespace earshot::cli
{
namespace
{
constexpr double maxSampleRate = 768000.0;

/** For uncompressed formats, whether the file holds fewer bytes than its header promises.
    JUCE's readers trust the header and read silence past the end, so this is checked here. */
bool isTruncatedPcm (const juce::File& file, const juce::AudioFormatReader& reader)
{
    const auto name = reader.getFormatName();
    const auto isWave = name.containsIgnoreCase ("WAV");
    if (! isWave && ! name.containsIgnoreCase ("AIFF"))
        return false;
    if (reader.usesFloatingPointData && reader.bitsPerSample != 32 && reader.bitsPerSample != 64)
        return false;

    const auto minimumHeader = isWave ? 44 : 54; // the smallest header either format can have
    const auto dataBytes = reader.lengthInSamples * static_cast<int64_t> (reader.numChannels) *
                           static_cast<int64_t> (reader.bitsPerSample / 8);
    return file.getSize() < dataBytes + minimumHeader;
}
} // namespace

void registerFormats (juce::AudioFormatManager& formats)
{
    formats.registerBasicFormats();
}

std::optional<FileReport> analyseFile (const juce::File& file, juce::AudioFormatManager& formats,
                                       const OfflineOptions& options, juce::String& error)
{
    if (! file.existsAsFile())
    {
        error = file.isDirectory() ? "is a folder, not an audio file" : "no such file";
        return std::nullopt;
    }
    if (! file.hasReadAccess())
    {
        error = "permission denied";
        return std::nullopt;
    }

    std::unique_ptr<juce::AudioFormatReader> reader (formats.createReaderFor (file));
    if (reader == nullptr)
    {
        error = file.getSize() == 0 ? "file is empty" : "not a supported audio file, or damaged";
        return std::nullopt;
    }

    if (! (reader->sampleRate > 0.0 && reader->sampleRate <= maxSampleRate))
    {
        error = "implausible sample rate " + juce::String (reader->sampleRate) + " Hz";
        return std::nullopt;
    }
    if (reader->numChannels == 0 || reader->lengthInSamples <= 0)
    {
        error = "contains no audio";
        return std::nullopt;
    }
    if (isTruncatedPcm (file, *reader))
    {
        error = "truncated: the header promises " +
                juce::String (static_cast<double> (reader->lengthInSamples) / reader->sampleRate, 2) +
                " s of audio that the file does not hold";
        return std::nullopt;
    }

    FileReport report;
    report.file = file;
    report.formatName = reader->getFormatName();
    report.sampleRate = reader->sampleRate;
    report.numChannels = static_cast<int> (reader->numChannels);
    report.lengthInSamples = reader->lengthInSamples;
    report.durationSeconds = static_cast<double> (reader->lengthInSamples) / reader->sampleRate;
    report.families = options.settings.families;

    if (! OfflineAnalyzer::analyse (*reader, options, report.analysis, error))
        return std::nullopt;
    return report;
}

} // namespace earshot::cli
