#pragma once

#include "Analysis/AnalysisStage.h"
#include "Analysis/EngineEvent.h"
#include "Analysis/LatestValue.h"
#include "Analysis/Snapshot.h"
#include "Realtime/AudioTap.h"

#include <readerwriterqueue/readerwriterqueue.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace earshot
{

/** Drains an AudioTap in order on its own analysis thread and runs the stages
    on every block; publishes the latest Snapshot and queues EngineEvents for the UI.

    Threads: the audio thread only ever touches the tap. prepare(), release() and
    addStage() belong to one controlling thread (the message thread, or the test);
    readSnapshot() and popEvent() to one reader thread (the UI's timer).
*/
class AnalysisEngine final
{
public:
    /** How often the snapshot is published while blocks keep arriving. */
    static constexpr double publishIntervalSeconds = 0.02;
    static constexpr size_t eventQueueCapacity = 1024;

    explicit AnalysisEngine (AudioTap& tapToDrain);
    ~AnalysisEngine();

    /** Appends a stage; stages run in the order added. Controlling thread, before prepare(). */
    void addStage (std::unique_ptr<AnalysisStage> stage);

    /** Stops the analysis thread if it runs, prepares the tap and every stage for
        `format`, resets the snapshot and starts the thread again. Safe to call at any
        time and repeatedly, also while the audio thread pushes. Controlling thread. */
    void prepare (const StreamFormat& format);

    /** Stops the analysis thread and frees the tap's ring. Controlling thread. */
    void release();

    bool isRunning() const noexcept { return running.load (std::memory_order_acquire); }

    /** The latest published snapshot. Reader thread only; valid until its next call. */
    const Snapshot& readSnapshot() noexcept { return published.read(); }

    /** Takes the oldest queued event. Reader thread only. */
    bool popEvent (EngineEvent& event) noexcept { return events.try_dequeue (event); }

    /** Blocks until every block pushed so far has been analysed and published.
        For offline producers and tests; never the audio thread.
        @returns false if the engine stopped or `timeoutMs` passed first. */
    bool waitUntilIdle (int timeoutMs = 10000);

private:
    class Context;

    void run();
    bool analyseWaitingBlocks();
    void analyse (AudioBlock& block);
    void publish();
    void stop();
    void postEvent (const EngineEvent& event) noexcept;

    AudioTap& tap;
    std::vector<std::unique_ptr<AnalysisStage>> stages;
    std::unique_ptr<Context> context;

    AudioBlock block;
    Snapshot working;
    LatestValue<Snapshot> published;
    moodycamel::ReaderWriterQueue<EngineEvent> events { eventQueueCapacity };
    std::atomic<uint64_t> eventsLost { 0 };
    uint64_t lastDropCount = 0;
    bool previousBlockInvalid = false;

    std::thread thread;
    std::atomic<bool> running { false };
    std::atomic<bool> stopRequested { false };
    std::mutex wakeMutex;
    std::condition_variable wake;
    std::atomic<uint64_t> blocksPublished { 0 };

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (AnalysisEngine)
};

} // namespace earshot
