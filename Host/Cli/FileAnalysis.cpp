#include "Cli/FileAnalysis.h"

#include "Analysis/AnalysisEngine.h"
#include "Features/Level.h"

#include <thread>

namespace earshot::cli
{
namespace
{
constexpr int readBlockSize = 4096;
constexpr double maxSampleRate = 768000.0;
} // namespace

void registerFormats (juce::AudioFormatManager& formats)
{
    formats.registerBasicFormats();
}

std::optional<FileReport> analyseFile (const juce::File& file, juce::AudioFormatManager& formats, juce::String& error)
{
    if (! file.existsAsFile())
    {
        error = file.isDirectory() ? "is a folder, not an audio file" : "no such file";
        return std::nullopt;
    }

    std::unique_ptr<juce::AudioFormatReader> reader (formats.createReaderFor (file));
    if (reader == nullptr)
    {
        error = file.getSize() == 0 ? "file is empty" : "not a supported audio file, or damaged";
        return std::nullopt;
    }

    if (reader->sampleRate <= 0.0 || reader->sampleRate > maxSampleRate)
    {
        error = "implausible sample rate " + juce::String (reader->sampleRate) + " Hz";
        return std::nullopt;
    }
    if (reader->numChannels == 0 || reader->lengthInSamples <= 0)
    {
        error = "contains no audio";
        return std::nullopt;
    }

    FileReport report;
    report.file = file;
    report.formatName = reader->getFormatName();
    report.sampleRate = reader->sampleRate;
    report.numChannels = static_cast<int> (reader->numChannels);
    report.lengthInSamples = reader->lengthInSamples;
    report.durationSeconds = static_cast<double> (reader->lengthInSamples) / reader->sampleRate;

    const auto channels = std::min (report.numChannels, AudioTap::maxChannels);
    AudioTap tap;
    AnalysisEngine engine (tap);
    engine.addStage (std::make_unique<Level>());
    engine.prepare ({ reader->sampleRate, readBlockSize, channels });

    juce::AudioBuffer<float> buffer (channels, readBlockSize);
    for (int64_t position = 0; position < reader->lengthInSamples;)
    {
        const auto count = static_cast<int> (std::min<int64_t> (readBlockSize, reader->lengthInSamples - position));
        if (! reader->read (&buffer, 0, count, position, true, channels > 1))
        {
            error = "read failed at sample " + juce::String (position);
            return std::nullopt;
        }

        // Offline, the producer can afford to wait for the analysis to make room.
        while (tap.getFreeSamples() < count)
            std::this_thread::yield();

        tap.push (buffer.getArrayOfReadPointers(), channels, count);
        position += count;
    }

    if (! engine.waitUntilIdle (60000))
    {
        error = "analysis did not finish";
        return std::nullopt;
    }

    report.snapshot = engine.readSnapshot();
    return report;
}

} // namespace earshot::cli
