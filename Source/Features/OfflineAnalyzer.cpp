#include "Features/OfflineAnalyzer.h"

#include <array>
#include <cmath>

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
        runLevel = options.settings.families.withDependencies().contains (FeatureFamily::levels);
        if (runLevel)
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
        auto* const* channels = startBlock (numSamples);
        for (int c = 0; c < format.numChannels; ++c)
            std::copy (source[c], source[c] + numSamples, channels[c]);
        analyseBlock();
    }

    /** The channels of the next block, to be filled with `numSamples` samples each
        before analyseBlock(): a reader decodes into them without a copy. */
    float* const* startBlock (int numSamples) noexcept
    {
        BlockInfo info;
        info.samplePosition = position;
        info.sampleRate = format.sampleRate;
        info.numChannels = format.numChannels;
        info.numSamples = numSamples;
        block.resizeWithoutAllocating (info);
        for (int c = 0; c < format.numChannels; ++c)
            channelPointers[static_cast<size_t> (c)] = block.getWritePointer (c);
        return channelPointers.data();
    }

    void analyseBlock()
    {
        const auto numSamples = block.getNumSamples();
        // A vectorised test first: the replacement walks sample by sample with a branch.
        if (holdsInvalidSamples() && block.replaceInvalidSamples())
            ++result.levels.health.blocksWithInvalidSamples;
        if (runLevel)
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
        result.families = extractor.computedFamilies();
        result.levelStatistics.clear();
        for (int c = 0; runLevel && c < format.numChannels; ++c)
            result.levelStatistics.push_back (level.statistics (c));
    }

    const StreamFormat& getFormat() const noexcept { return format; }

private:
    bool holdsInvalidSamples() const noexcept
    {
        int invalid = 0;
        for (int c = 0; c < block.getNumChannels(); ++c)
        {
            const auto* x = block.getReadPointer (c);
            const auto n = block.getNumSamples();
#pragma omp simd reduction(+ : invalid)
            for (int i = 0; i < n; ++i)
                invalid += std::abs (x[i]) <= AudioBlock::maxValidSample ? 0 : 1; // NaN compares false
        }
        return invalid > 0;
    }

    const OfflineOptions& options;
    OfflineAnalysis& result;
    StreamFormat format;
    AudioBlock block;
    Level level;
    FeatureExtractor extractor;
    bool runLevel = true;
    int64_t position = 0;
    std::array<float*, Snapshot::maxChannels> channelPointers {};
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

    const auto length = reader.lengthInSamples;
    int64_t lastProgress = 0;
    for (int64_t position = 0; position < length;)
    {
        const auto count = static_cast<int> (std::min<int64_t> (options.blockSize, length - position));
        if (! reader.read (run.startBlock (count), channels, position, count))
        {
            error = "read failed at " + juce::String (static_cast<double> (position) / reader.sampleRate, 2) + " s";
            return false;
        }
        run.analyseBlock();
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
