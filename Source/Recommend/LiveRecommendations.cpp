#include "Recommend/LiveRecommendations.h"

#include "Analysis/AnalysisEngine.h"
#include "Features/FeatureExtractor.h"
#include "Features/Level.h"
#include "Recommend/Catalog.h"
#include "Recommend/Recommender.h"

#include <chrono>
#include <cstring>
#include <fstream>

namespace earshot
{
namespace
{
int64_t nowMillis()
{
    return std::chrono::duration_cast<std::chrono::milliseconds> (std::chrono::system_clock::now().time_since_epoch())
        .count();
}

template <size_t size>
void copyText (char (&target)[size], const std::string& text)
{
    const auto length = std::min (text.size(), size - 1);
    std::memcpy (target, text.data(), length);
    target[length] = '\0';
}

bool fileExists (const std::string& path)
{
    return std::ifstream (path).good();
}

constexpr int64_t retryMillis = 30000;
} // namespace

struct LiveRecommendations::Worker
{
    std::unique_ptr<Catalog> catalog;
    Recommender recommender;
    bool loaded = false;
    int64_t lastAttemptMillis = -retryMillis;
};

LiveRecommendations::LiveRecommendations (std::string catalogPath)
    : path (catalogPath.empty() ? Catalog::defaultPath() : std::move (catalogPath))
    , worker (std::make_unique<Worker>())
{
    thread = std::thread ([this] { run(); });
}

LiveRecommendations::~LiveRecommendations()
{
    {
        const std::lock_guard<std::mutex> lock (mutex);
        stopping = true;
    }
    wake.notify_all();
    thread.join();
}

void LiveRecommendations::prepare (const StreamFormat& format)
{
    sampleRate = format.sampleRate;
    samplesSinceRequest = samplesHeard = 0;
}

void LiveRecommendations::process (const AudioBlock& block, AnalysisContext& context)
{
    const auto numSamples = block.getNumSamples();
    samplesHeard += numSamples;
    samplesSinceRequest += numSamples;

    if (samplesHeard >= static_cast<int64_t> (firstAfterSeconds * sampleRate) &&
        samplesSinceRequest >= static_cast<int64_t> (refreshSeconds * sampleRate))
    {
        samplesSinceRequest = 0;
        requests.back() = context.snapshot().summary;
        requests.publish();
        {
            // Under the lock, so the worker cannot miss the wake-up between its check and its wait.
            const std::lock_guard<std::mutex> lock (mutex);
            requestPending.store (true, std::memory_order_release);
        }
        wake.notify_one();
    }

    const auto& latest = results.read();
    if (latest.generation != lastGeneration)
    {
        lastGeneration = latest.generation;
        context.snapshot().recommendations = latest;
    }
}

void LiveRecommendations::recordFeedback (const FeedbackEvent& event)
{
    {
        const std::lock_guard<std::mutex> lock (mutex);
        pendingFeedback.push_back (event);
    }
    wake.notify_one();
}

bool LiveRecommendations::ensureLoaded (RecommendationList& list)
{
    if (worker->loaded || nowMillis() - worker->lastAttemptMillis < retryMillis)
        return false;
    worker->lastAttemptMillis = nowMillis();

    if (! fileExists (path))
    {
        const auto changed = list.status != RecommendationList::Status::noCatalog;
        list.status = RecommendationList::Status::noCatalog;
        copyText (list.message, "no catalog at " + path + " (earshot catalog add FOLDER makes one)");
        return changed;
    }

    std::string error;
    worker->catalog = Catalog::open (path, error);
    if (worker->catalog == nullptr)
    {
        list.status = RecommendationList::Status::failed;
        copyText (list.message, error);
        return true;
    }

    worker->recommender.build (worker->catalog->allTracks(), worker->catalog->feedback());
    worker->loaded = true;
    list.status = RecommendationList::Status::listening;
    list.catalogSize = static_cast<int64_t> (worker->recommender.size());
    copyText (list.message, std::to_string (list.catalogSize) + " tracks in the catalog");
    return true;
}

void LiveRecommendations::run()
{
    RecommendationList list;
    copyText (list.message, "Looking for the catalog");
    // Look for the catalog at once; after that, when woken or every 30 s.
    bool firstLook = true;
    for (;;)
    {
        std::deque<FeedbackEvent> feedback;
        {
            std::unique_lock<std::mutex> lock (mutex);
            if (! firstLook)
                wake.wait_for (lock, std::chrono::milliseconds (retryMillis),
                               [this] {
                                   return stopping || requestPending.load (std::memory_order_acquire) ||
                                          ! pendingFeedback.empty();
                               });
            firstLook = false;
            if (stopping)
                return;
            feedback.swap (pendingFeedback);
        }

        auto changed = ensureLoaded (list);

        if (worker->loaded)
        {
            for (const auto& event : feedback)
            {
                worker->catalog->addFeedback (event);
                worker->recommender.recordFeedback (event);
            }
        }

        if (requestPending.exchange (false, std::memory_order_acq_rel) && worker->loaded)
        {
            const auto recommended =
                worker->recommender.recommend (requests.read(), RecommendationList::maxEntries, nowMillis());
            list.count = static_cast<int> (recommended.size());
            for (size_t i = 0; i < recommended.size(); ++i)
            {
                auto& entry = list.entries[i];
                const auto& track = recommended[i];
                entry.trackId = track.trackId;
                entry.score = track.score;
                copyText (entry.title, track.title.empty()    ? track.path
                                       : track.artist.empty() ? track.title
                                                              : track.artist + " - " + track.title);
                copyText (entry.explanation, track.explanation);
            }
            list.status = RecommendationList::Status::ready;
            changed = true;
        }

        if (changed)
        {
            ++list.generation;
            results.back() = list;
            results.publish();
        }
    }
}

LiveRecommendations& addLiveStages (AnalysisEngine& engine, std::string catalogPath)
{
    engine.addStage (std::make_unique<Level>());
    FeatureSettings features;
    features.historySeconds = liveHistorySeconds;
    engine.addStage (std::make_unique<FeatureExtractor> (features));
    auto live = std::make_unique<LiveRecommendations> (std::move (catalogPath));
    auto& recommendations = *live;
    engine.addStage (std::move (live));
    return recommendations;
}

} // namespace earshot
