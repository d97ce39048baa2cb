#pragma once

#include "Analysis/AnalysisStage.h"
#include "Analysis/LatestValue.h"
#include "Recommend/TrackRecord.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace earshot
{

/** The recommendation stage of the live pipeline: every few seconds it hands the
    live TrackSummary to its own worker thread, which asks the Recommender for the
    catalog's closest tracks; the newest list is copied into the snapshot.

    The analysis thread never waits for the worker: requests and results cross
    through LatestValue triple buffers, and the worker is woken with a condition
    variable. The catalog is only opened if it already exists (loading a plugin
    must never create a database), and is looked for again every 30 s.

    Threads: process() on the analysis thread; recordFeedback() on any thread
    (the message thread: the panel's like/skip buttons, the host's player);
    construction and destruction on the controlling thread.
*/
class LiveRecommendations final : public AnalysisStage
{
public:
    static constexpr double refreshSeconds = 5.0;
    /** Audio heard before the first recommendation. */
    static constexpr double firstAfterSeconds = 3.0;

    /** @param catalogPath  the catalog to recommend from (empty: Catalog::defaultPath()) */
    explicit LiveRecommendations (std::string catalogPath = {});
    ~LiveRecommendations() override;

    void prepare (const StreamFormat& format) override;
    void process (const AudioBlock& block, AnalysisContext& context) override;

    /** Records a like, skip or play: stored in the catalog's listening history and
        used from the next recommendation on. Any thread; never blocks for long. */
    void recordFeedback (const FeedbackEvent& event);

private:
    void run();
    bool ensureLoaded (RecommendationList& list);

    const std::string path;
    double sampleRate = 44100.0;
    int64_t samplesSinceRequest = 0, samplesHeard = 0;

    LatestValue<TrackSummary> requests;
    LatestValue<RecommendationList> results;
    std::atomic<bool> requestPending { false };
    uint64_t lastGeneration = 0;

    std::mutex mutex;
    std::condition_variable wake;
    std::deque<FeedbackEvent> pendingFeedback;
    bool stopping = false;

    struct Worker;
    std::unique_ptr<Worker> worker;
    std::thread thread;
};

class AnalysisEngine;

/** What a live stream keeps of its whole-stream lists (beats, onsets, silences,
    boundaries): a DAW session or a playout chain may run for days, and memory
    must stay flat (bash .ci/soak). */
inline constexpr double liveHistorySeconds = 600.0;

/** Adds the stages every live stream runs, in order: Level (whose per-channel totals
    the features summarise), FeatureExtractor (keeping liveHistorySeconds), and
    LiveRecommendations (from the features' live summary). The plugin and the host
    both call this, so they analyse alike. Controlling thread, before prepare().
    @returns the recommendations stage, owned by the engine. */
LiveRecommendations& addLiveStages (AnalysisEngine& engine, std::string catalogPath = {});

} // namespace earshot
