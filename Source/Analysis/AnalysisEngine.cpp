#include "Analysis/AnalysisEngine.h"

#include <chrono>
#include <cmath>

namespace earshot
{

class AnalysisEngine::Context final : public AnalysisContext
{
public:
    explicit Context (AnalysisEngine& ownerEngine)
        : owner (ownerEngine)
    {
    }

    Snapshot& snapshot() noexcept override { return owner.working; }
    void post (const EngineEvent& event) noexcept override { owner.postEvent (event); }

private:
    AnalysisEngine& owner;
};

AnalysisEngine::AnalysisEngine (AudioTap& tapToDrain)
    : tap (tapToDrain)
    , context (std::make_unique<Context> (*this))
{
}

AnalysisEngine::~AnalysisEngine()
{
    release();
}

void AnalysisEngine::addStage (std::unique_ptr<AnalysisStage> stage)
{
    jassert (! isRunning());
    stages.push_back (std::move (stage));
}

void AnalysisEngine::prepare (const StreamFormat& format)
{
    stop();

    tap.prepare (format);
    tap.allocateBlock (block);
    for (auto& stage : stages)
        stage->prepare (format);

    working = {};
    working.sampleRate = format.sampleRate;
    working.numChannels = std::min (format.numChannels, Snapshot::maxChannels);
    lastDropCount = 0;
    previousBlockInvalid = false;
    blocksPublished.store (0, std::memory_order_release);
    publish();
    postEvent ({ EngineEvent::Kind::streamPrepared, 0.0, format.sampleRate, -1 });

    stopRequested.store (false, std::memory_order_release);
    running.store (true, std::memory_order_release);
    thread = std::thread ([this] { run(); });
}

void AnalysisEngine::release()
{
    stop();
    tap.release();
}

void AnalysisEngine::stop()
{
    if (! thread.joinable())
        return;

    {
        const std::lock_guard<std::mutex> lock (wakeMutex);
        stopRequested.store (true, std::memory_order_release);
    }
    wake.notify_all();
    thread.join();
    running.store (false, std::memory_order_release);
}

bool AnalysisEngine::waitUntilIdle (int timeoutMs)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds (timeoutMs);
    while (std::chrono::steady_clock::now() < deadline)
    {
        if (! isRunning())
            return false;
        if (blocksPublished.load (std::memory_order_acquire) >= tap.getStatistics().blocksPushed)
            return true;
        std::this_thread::sleep_for (std::chrono::milliseconds (1));
    }
    return false;
}

void AnalysisEngine::run()
{
    // Denormals cost a hundred times a normal multiply and carry no audible information.
    juce::ScopedNoDenormals noDenormals;

    while (! stopRequested.load (std::memory_order_acquire))
    {
        if (analyseWaitingBlocks())
            continue;

        // The audio thread cannot signal (that would be a system call); poll instead.
        std::unique_lock<std::mutex> lock (wakeMutex);
        wake.wait_for (lock, std::chrono::milliseconds (2),
                       [this] { return stopRequested.load (std::memory_order_acquire); });
    }
}

bool AnalysisEngine::analyseWaitingBlocks()
{
    using Clock = std::chrono::steady_clock;
    const auto interval = std::chrono::duration<double> (publishIntervalSeconds);
    auto lastPublish = Clock::now();
    bool analysedAny = false;

    while (! stopRequested.load (std::memory_order_relaxed) && tap.pop (block))
    {
        analyse (block);
        analysedAny = true;

        if (Clock::now() - lastPublish >= interval)
        {
            publish();
            lastPublish = Clock::now();
        }
    }

    const auto drops = tap.getStatistics();
    if (drops.blocksDropped != lastDropCount)
    {
        postEvent ({ EngineEvent::Kind::blocksDropped, working.streamSeconds,
                     static_cast<double> (drops.blocksDropped - lastDropCount), -1 });
        lastDropCount = drops.blocksDropped;
        analysedAny = true;
    }

    if (analysedAny)
        publish();
    return analysedAny;
}

void AnalysisEngine::analyse (AudioBlock& blockToAnalyse)
{
    if (blockToAnalyse.replaceInvalidSamples())
    {
        ++working.health.blocksWithInvalidSamples;
        // One event when bad input starts, not one per block.
        if (! previousBlockInvalid)
            postEvent ({ EngineEvent::Kind::invalidSamples, working.streamSeconds, 1.0, -1 });
    }
    previousBlockInvalid = blockToAnalyse.hadInvalidSamples();

    for (auto& stage : stages)
        stage->process (blockToAnalyse, *context);

    const auto numSamples = static_cast<uint64_t> (blockToAnalyse.getNumSamples());
    ++working.health.blocksAnalysed;
    working.health.samplesAnalysed += numSamples;
    if (working.sampleRate > 0.0)
        working.streamSeconds = static_cast<double> (working.health.samplesAnalysed) / working.sampleRate;
}

void AnalysisEngine::publish()
{
    const auto drops = tap.getStatistics();
    working.health.blocksDropped = drops.blocksDropped;
    working.health.samplesDropped = drops.samplesDropped;
    working.health.eventsLost = eventsLost.load (std::memory_order_relaxed);
    ++working.sequence;

    published.back() = working;
    published.publish();
    blocksPublished.store (working.health.blocksAnalysed, std::memory_order_release);
}

void AnalysisEngine::postEvent (const EngineEvent& event) noexcept
{
    if (! events.try_enqueue (event))
        eventsLost.fetch_add (1, std::memory_order_relaxed);
}

} // namespace earshot
