#include "Analysis/AnalysisEngine.h"
#include "Features/FeatureExtractor.h"
#include "Features/Level.h"
#include "Features/OfflineAnalyzer.h"
#include "Recommend/Catalog.h"
#include "Recommend/LiveRecommendations.h"
#include "Support/TestSignals.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <thread>

using namespace earshot;

namespace
{
constexpr double rate = 44100.0;

/** Three families a listener would tell apart: a low hum, bright noise, a mid tone. */
juce::AudioBuffer<float> familySignal (int family, int variant, double seconds)
{
    juce::AudioBuffer<float> audio (2, static_cast<int> (seconds * rate));
    if (family == 1)
    {
        test::fillNoise (audio, 0.3f, 100 + variant);
        return audio;
    }
    const auto frequency = (family == 0 ? 110.0 : 1760.0) * (1.0 + 0.01 * variant);
    test::fillSine (audio, rate, frequency, 0.3f);
    return audio;
}

struct Pipeline
{
    AudioTap tap;
    AnalysisEngine engine { tap };

    explicit Pipeline (const std::string& catalogPath)
    {
        engine.addStage (std::make_unique<Level>());
        engine.addStage (std::make_unique<FeatureExtractor>());
        auto live = std::make_unique<LiveRecommendations> (catalogPath);
        recommendations = live.get();
        engine.addStage (std::move (live));
        engine.prepare ({ rate, 4096, 2 });
    }

    /** Plays `audio` in a loop (as a host would keep calling) until `done` says so. */
    template <typename Predicate>
    bool playUntil (const juce::AudioBuffer<float>& audio, Predicate done, double maxSeconds = 60.0)
    {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double> (maxSeconds);
        for (int position = 0; std::chrono::steady_clock::now() < deadline;)
        {
            const auto count = std::min (4096, audio.getNumSamples() - position);
            const float* pointers[] = { audio.getReadPointer (0) + position, audio.getReadPointer (1) + position };
            while (tap.getFreeSamples() < count)
                std::this_thread::yield();
            tap.push (pointers, 2, count);
            position = (position + count) % audio.getNumSamples();
            if (engine.waitUntilIdle() && done (engine.readSnapshot()))
                return true;
        }
        return false;
    }

    LiveRecommendations* recommendations = nullptr;
};
} // namespace

TEST_CASE ("Live recommendations come from the catalog and sound like what is playing", "[recommend][live]")
{
    const auto directory = juce::File::createTempFile ("earshot-live");
    directory.createDirectory();
    const auto path = directory.getChildFile ("catalog.db").getFullPathName().toStdString();

    std::map<int64_t, int> familyOf;
    {
        std::string error;
        auto catalog = Catalog::open (path, error);
        REQUIRE (catalog != nullptr);
        for (int family = 0; family < 3; ++family)
        {
            for (int variant = 0; variant < 6; ++variant)
            {
                TrackRecord track;
                track.path = "/music/family" + std::to_string (family) + "-" + std::to_string (variant) + ".wav";
                track.title = "Family " + std::to_string (family) + " track " + std::to_string (variant);
                track.summary = OfflineAnalyzer::analyse (familySignal (family, variant, 6.0), rate, {}).summary;
                track.features = track.summary.toVector();
                familyOf[catalog->upsert (track)] = family;
            }
        }
    }

    Pipeline pipeline (path);
    const auto noise = familySignal (1, 50, 4.0);
    REQUIRE (pipeline.playUntil (noise, [] (const Snapshot& s)
                                 { return s.recommendations.status == RecommendationList::Status::ready; }));

    const auto& list = pipeline.engine.readSnapshot().recommendations;
    CHECK (list.catalogSize == 18);
    REQUIRE (list.count >= 5);
    int sameFamily = 0;
    for (int i = 0; i < 5; ++i)
        sameFamily += familyOf[list.entries[static_cast<size_t> (i)].trackId] == 1 ? 1 : 0;
    CHECK (sameFamily >= 4);
    CHECK (juce::String (list.entries[0].title).startsWith ("Family 1"));
    CHECK (juce::String (list.entries[0].explanation).isNotEmpty());

    // Feedback goes to the catalog's listening history.
    FeedbackEvent like;
    like.trackId = list.entries[0].trackId;
    like.kind = FeedbackEvent::Kind::like;
    like.timeMillis = juce::Time::currentTimeMillis();
    pipeline.recommendations->recordFeedback (like);

    std::string error;
    auto reader = Catalog::open (path, error);
    REQUIRE (reader != nullptr);
    bool stored = false;
    for (int attempt = 0; attempt < 200 && ! stored; ++attempt)
    {
        for (const auto& event : reader->feedback())
            stored = stored || (event.trackId == like.trackId && event.kind == FeedbackEvent::Kind::like);
        if (! stored)
            std::this_thread::sleep_for (std::chrono::milliseconds (50));
    }
    CHECK (stored);

    pipeline.engine.release();
    directory.deleteRecursively();
}

TEST_CASE ("Without a catalog, live recommendations say how to make one and create nothing", "[recommend][live]")
{
    const auto missing = juce::File::createTempFile ("earshot-no-catalog").getChildFile ("catalog.db");
    Pipeline pipeline (missing.getFullPathName().toStdString());
    juce::AudioBuffer<float> audio (2, 4096);
    test::fillSine (audio, rate, 440.0, 0.2f);
    REQUIRE (pipeline.playUntil (audio, [] (const Snapshot& s)
                                 { return s.recommendations.status == RecommendationList::Status::noCatalog; }));
    CHECK (juce::String (pipeline.engine.readSnapshot().recommendations.message) ==
           "no catalog at " + missing.getFullPathName() + " (earshot catalog add FOLDER makes one)");
    pipeline.engine.release();
    CHECK_FALSE (missing.exists());
    CHECK_FALSE (missing.getParentDirectory().exists());
}
