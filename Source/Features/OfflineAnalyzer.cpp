#include "Features/OfflineAnalyzer.h"

#include "Features/Level.h"

namespace earshot::OfflineAnalyzer
{
namespace
{
/** Runs the stages on blocks handed to it, collecting events and frames. */
class Run final : public AnalysisContext
{
public:
    Run (double sampleRate, int numChannels, const OfflineOptions& optionsToUse, OfflineAnalysis& resultToFill)
        : options (optionsToUse)
        , result (resultToFill)
        , extractor (options.settings)
    {
        format = { sampleRate, options.blockSize, std::min (numChannels, Snapshot::maxChannels) };
        block.allocate (format.numChannels, options.blockSize);
        level.prepare (format);
        if (options.keepFrames)
            extractor.setFrameListener ([this] (const FeatureFrame& frame) { result.frames.push_back (frame); });
        extractor.prepare (format);
        result.levels = {};
        result.levels.sampleRate = sampleRate;
        result.levels.numChannels = format.numChannels;
    }

    Snapshot& snapshot() noexcept override { return result.levels; }
    void post (const EngineEvent& event) noexcept override { result.events.push_back (event); }

    /** Analyses `numSamples` samples of `source` (channel pointers). */
    void add (const float* const* source, int numSamples)
    {
        BlockInfo info;
        info.samplePosition = position;
        info.sampleRate = format.sampleRate;
        info.numChannels = format.numChannels;
        info.numSamples = numSamples;
        block.resizeWithoutAllocating (info);
        for (int c = 0; c < format.numChannels; ++c)
            std::copy (source[c], source[c] + numSamples, block.getWritePointer (c));

        if (block.replaceInvalidSamples())
            ++result.levels.health.blocksWithInvalidSamples;
        level.process (block, *this);
        extractor.process (block, *this);

        ++result.levels.health.blocksAnalysed;
        result.levels.health.samplesAnalysed += static_cast<uint64_t> (numSamples);
        position += numSamples;
    }

    void finish()
    {
        result.levels.streamSeconds = static_cast<double> (position) / format.sampleRate;
        const auto tempo = extractor.wholeTempo();
        result.summary = extractor.summariseWhole (result.levels, tempo);
        result.onsetTimes = extractor.onsetTimes();
        result.beatTimes = tempo.beatTimes;
        result.segmentBoundaries = extractor.segmentBoundaries();
        result.silentRegions = extractor.silentRegions();
    }

    const StreamFormat& getFormat() const noexcept { return format; }

private:
    const OfflineOptions& options;
    OfflineAnalysis& result;
    StreamFormat format;
    AudioBlock block;
    Level level;
    FeatureExtractor extractor;
    int64_t position = 0;
};
} // namespace

bool analyse (juce::AudioFormatReader& reader, const OfflineOptions& options, OfflineAnalysis& result,
              juce::String& error)
{
    const auto channels = std::min (static_cast<int> (reader.numChannels), Snapshot::maxChannels);
    Run run (reader.sampleRate, channels, options, result);
    if (options.keepFrames)
        result.frames.reserve (
            static_cast<size_t> (reader.lengthInSamples / std::max (1, run.getFormat().maxBlockSize)) * 8 + 16);

    juce::AudioBuffer<float> buffer (channels, options.blockSize);
    const auto length = reader.lengthInSamples;
    int64_t lastProgress = 0;
    for (int64_t position = 0; position < length;)
    {
        const auto count = static_cast<int> (std::min<int64_t> (options.blockSize, length - position));
        if (! reader.read (&buffer, 0, count, position, true, channels > 1))
        {
            error = "read failed at " + juce::String (static_cast<double> (position) / reader.sampleRate, 2) + " s";
            return false;
        }
        run.add (buffer.getArrayOfReadPointers(), count);
        position += count;

        if (options.progress && position - lastProgress >= static_cast<int64_t> (reader.sampleRate * 10.0))
        {
            lastProgress = position;
            options.progress (static_cast<double> (position) / static_cast<double> (length));
        }
    }
    run.finish();
    return true;
}

OfflineAnalysis analyse (const juce::AudioBuffer<float>& audio, double sampleRate, const OfflineOptions& options)
{
    OfflineAnalysis result;
    Run run (sampleRate, audio.getNumChannels(), options, result);
    const float* pointers[Snapshot::maxChannels] {};
    for (int position = 0; position < audio.getNumSamples(); position += options.blockSize)
    {
        const auto count = std::min (options.blockSize, audio.getNumSamples() - position);
        for (int c = 0; c < run.getFormat().numChannels; ++c)
            pointers[c] = audio.getReadPointer (c) + position;
        run.add (pointers, count);
    }
    run.finish();
    return result;
}

} // namespace earshot::OfflineAnalyzer
