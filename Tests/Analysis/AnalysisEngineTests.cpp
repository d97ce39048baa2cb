#include "Analysis/AnalysisEngine.h"
#include "Features/Level.h"
#include "Support/TestSignals.h"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <limits>
#include <mutex>

using namespace earshot;

namespace
{
/** A stage that, once armed, holds the analysis thread inside process() until released. */
class StallingStage final : public AnalysisStage
{
public:
    void prepare (const StreamFormat&) override {}

    void process (const AudioBlock&, AnalysisContext&) override
    {
        std::unique_lock<std::mutex> lock (mutex);
        if (! armed)
            return;
        stalled = true;
        changed.notify_all();
        changed.wait (lock, [this] { return ! armed; });
        stalled = false;
    }

    void arm()
    {
        const std::lock_guard<std::mutex> lock (mutex);
        armed = true;
    }

    void waitUntilStalled()
    {
        std::unique_lock<std::mutex> lock (mutex);
        changed.wait (lock, [this] { return stalled; });
    }

    void release()
    {
        {
            const std::lock_guard<std::mutex> lock (mutex);
            armed = false;
        }
        changed.notify_all();
    }

private:
    std::mutex mutex;
    std::condition_variable changed;
    bool armed = false, stalled = false;
};

struct Pipeline
{
    AudioTap tap;
    AnalysisEngine engine { tap };

    explicit Pipeline (std::unique_ptr<AnalysisStage> extra = nullptr)
    {
        engine.addStage (std::make_unique<Level>());
        if (extra != nullptr)
            engine.addStage (std::move (extra));
    }

    void push (const juce::AudioBuffer<float>& buffer)
    {
        tap.push (buffer.getArrayOfReadPointers(), buffer.getNumChannels(), buffer.getNumSamples());
    }
};
} // namespace

TEST_CASE ("Level measures a sine's RMS and peak exactly", "[analysis][level]")
{
    // A sine of peak A has RMS A/sqrt(2): 0.5 -> peak -6.02 dBFS, RMS -9.03 dBFS.
    Pipeline pipeline;
    pipeline.engine.prepare ({ 48000.0, 480, 2 });

    juce::AudioBuffer<float> buffer (2, 480);
    for (int b = 0; b < 100; ++b) // one second: 1000 whole cycles of 1 kHz
    {
        test::fillSine (buffer, 48000.0, 1000.0, 0.5f, b * 480);
        pipeline.push (buffer);
    }
    REQUIRE (pipeline.engine.waitUntilIdle());

    const auto& snapshot = pipeline.engine.readSnapshot();
    CHECK (snapshot.health.blocksAnalysed == 100);
    CHECK (snapshot.health.blocksDropped == 0);
    CHECK (snapshot.streamSeconds == Approx (1.0));
    for (int c = 0; c < 2; ++c)
    {
        const auto& level = snapshot.levels[static_cast<size_t> (c)];
        CHECK (level.overallPeakDb == Approx (test::toDb (0.5)).margin (0.01));
        CHECK (level.overallRmsDb == Approx (test::toDb (0.5 / std::sqrt (2.0))).margin (0.01));
        CHECK (level.rmsDb == Approx (test::toDb (0.5 / std::sqrt (2.0))).margin (0.01));
        CHECK (level.clippedSamples == 0);
    }
}

TEST_CASE ("Level counts clipped samples exactly and reports clipping once", "[analysis][level]")
{
    Pipeline pipeline;
    pipeline.engine.prepare ({ 44100.0, 100, 1 });

    juce::AudioBuffer<float> buffer (1, 100);
    buffer.clear();
    buffer.setSample (0, 10, 1.0f);
    buffer.setSample (0, 11, -1.5f);
    buffer.setSample (0, 50, 0.999f);
    pipeline.push (buffer);
    pipeline.push (buffer);
    REQUIRE (pipeline.engine.waitUntilIdle());

    CHECK (pipeline.engine.readSnapshot().levels[0].clippedSamples == 4);
    CHECK (pipeline.engine.readSnapshot().levels[0].overallPeakDb == Approx (test::toDb (1.5)).margin (1e-4));

    int clippingEvents = 0;
    EngineEvent event;
    while (pipeline.engine.popEvent (event))
        clippingEvents += event.kind == EngineEvent::Kind::clipping ? 1 : 0;
    CHECK (clippingEvents == 1);
}

TEST_CASE ("NaN and Inf input is analysed as silence and does not poison later blocks", "[analysis][badinput]")
{
    Pipeline pipeline;
    pipeline.engine.prepare ({ 48000.0, 480, 2 });

    juce::AudioBuffer<float> bad (2, 480);
    bad.clear();
    bad.setSample (0, 3, std::numeric_limits<float>::quiet_NaN());
    bad.setSample (1, 7, std::numeric_limits<float>::infinity());
    bad.setSample (1, 8, -std::numeric_limits<float>::infinity());
    bad.setSample (0, 9, std::numeric_limits<float>::denorm_min());
    for (int b = 0; b < 5; ++b)
        pipeline.push (bad);

    juce::AudioBuffer<float> good (2, 480);
    for (int b = 0; b < 100; ++b) // 300 ms window filled with the sine again
    {
        test::fillSine (good, 48000.0, 1000.0, 0.25f, b * 480);
        pipeline.push (good);
    }
    REQUIRE (pipeline.engine.waitUntilIdle());

    const auto& snapshot = pipeline.engine.readSnapshot();
    CHECK (snapshot.health.blocksWithInvalidSamples == 5);
    for (int c = 0; c < 2; ++c)
    {
        CHECK (std::isfinite (snapshot.levels[static_cast<size_t> (c)].overallRmsDb));
        CHECK (snapshot.levels[static_cast<size_t> (c)].rmsDb ==
               Approx (test::toDb (0.25 / std::sqrt (2.0))).margin (0.01));
        CHECK (snapshot.levels[static_cast<size_t> (c)].overallPeakDb == Approx (test::toDb (0.25)).margin (0.01));
    }

    int invalidEvents = 0;
    EngineEvent event;
    while (pipeline.engine.popEvent (event))
        invalidEvents += event.kind == EngineEvent::Kind::invalidSamples ? 1 : 0;
    CHECK (invalidEvents == 1);
}

TEST_CASE ("A stalled analysis thread never holds up the audio thread, drops are counted and analysis recovers",
           "[analysis][threads][stall]")
{
    auto stallingStage = std::make_unique<StallingStage>();
    auto& stall = *stallingStage;
    Pipeline pipeline (std::move (stallingStage));
    pipeline.engine.prepare ({ 48000.0, 512, 2 });

    juce::AudioBuffer<float> buffer (2, 512);
    test::fillNoise (buffer, 0.1f, 3);

    // Stall the analysis thread inside the first block.
    stall.arm();
    pipeline.push (buffer);
    stall.waitUntilStalled();

    // The ring holds 131072 samples per channel (2 s at 48 kHz rounded up to a power
    // of two): exactly 256 blocks of 512. Everything after that is dropped, and every
    // one of these pushes returns without waiting for the stalled consumer.
    const auto ringBlocks = 131072 / 512;
    constexpr int pushesWhileStalled = 1000;
    for (int b = 0; b < pushesWhileStalled; ++b)
        pipeline.push (buffer);

    const auto stalled = pipeline.tap.getStatistics();
    CHECK (stalled.blocksPushed == 1 + ringBlocks);
    CHECK (stalled.blocksDropped == pushesWhileStalled - ringBlocks);
    CHECK (stalled.samplesDropped == static_cast<uint64_t> (pushesWhileStalled - ringBlocks) * 512u);

    // Held for a while longer: nothing changes for the audio side.
    std::this_thread::sleep_for (std::chrono::milliseconds (1500));
    stall.release();
    REQUIRE (pipeline.engine.waitUntilIdle());

    // Recovery: new audio is analysed again, with no new drops.
    for (int b = 0; b < 50; ++b)
        pipeline.push (buffer);
    REQUIRE (pipeline.engine.waitUntilIdle());

    const auto& snapshot = pipeline.engine.readSnapshot();
    CHECK (snapshot.health.blocksAnalysed == 1 + ringBlocks + 50);
    CHECK (snapshot.health.blocksDropped == pushesWhileStalled - ringBlocks);

    bool sawDropEvent = false;
    EngineEvent event;
    while (pipeline.engine.popEvent (event))
        sawDropEvent = sawDropEvent || (event.kind == EngineEvent::Kind::blocksDropped && event.value > 0.0);
    CHECK (sawDropEvent);
}

TEST_CASE ("The engine can be prepared again at any time with a new format", "[analysis][prepare]")
{
    Pipeline pipeline;
    juce::AudioBuffer<float> buffer (2, 4096);

    const StreamFormat formats[] = { { 44100.0, 512, 2 }, { 96000.0, 32, 1 }, { 8000.0, 4096, 2 }, { 192000.0, 1, 2 } };
    for (const auto& format : formats)
    {
        pipeline.engine.prepare (format);
        pipeline.engine.prepare (format); // twice, without release, as hosts do
        const auto size = std::max (format.maxBlockSize, 64);
        juce::AudioBuffer<float> block (format.numChannels, size);
        test::fillSine (block, format.sampleRate, 440.0, 0.5f);
        for (int b = 0; b < 10; ++b)
            pipeline.push (block);
        REQUIRE (pipeline.engine.waitUntilIdle());

        const auto& snapshot = pipeline.engine.readSnapshot();
        CHECK (snapshot.sampleRate == format.sampleRate);
        CHECK (snapshot.numChannels == format.numChannels);
        CHECK (snapshot.health.blocksAnalysed == 10);
        CHECK (snapshot.health.samplesAnalysed == static_cast<uint64_t> (10 * size));
    }

    pipeline.engine.release();
    CHECK_FALSE (pipeline.engine.isRunning());
    const auto before = pipeline.tap.getStatistics();
    pipeline.push (buffer); // released: ignored, no crash
    CHECK (pipeline.tap.getStatistics().blocksPushed == before.blocksPushed);
    CHECK (pipeline.tap.getStatistics().blocksDropped == before.blocksDropped);
}
