// What hosts do from several threads at once (pluginval's parameter-thread and
// editor tests, a DAW's worker pool): automation and the UI change parameters
// while audio runs, the sample rate changes under a running stream, state is
// saved and restored mid-playback, the editor opens and closes, and many
// instances process in parallel. Real threads, meant to run under TSan
// (`bash .ci/sanitize thread`); the audio threads are checked to pass audio
// through and never allocate, free or lock.

#include "Conformance/ConformanceHost.h"
#include "EarshotEditor.h"
#include "Parameters.h"
#include "Support/TestSignals.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <dlfcn.h>
#include <mutex>
#include <thread>
#include <vector>

using namespace earshot;

namespace
{
/** Counts output samples that are not the input times a gain the trim can give
    (or, bypassed, the input itself). Audio thread. */
int samplesOutsideTrimRange (const juce::AudioBuffer<float>& output, const juce::AudioBuffer<float>& input)
{
    const auto lowest = juce::Decibels::decibelsToGain (parameters::minTrimDb) * (1.0f - 1e-5f);
    const auto highest = juce::Decibels::decibelsToGain (parameters::maxTrimDb) * (1.0f + 1e-5f);
    int outside = 0;
    for (int c = 0; c < output.getNumChannels(); ++c)
        for (int i = 0; i < output.getNumSamples(); ++i)
        {
            const auto in = input.getSample (c, i), out = output.getSample (c, i);
            if (! std::isfinite (out))
                ++outside;
            else if (std::abs (in) > 1e-3f && ! (out / in >= lowest && out / in <= highest))
                ++outside;
        }
    return outside;
}

/** What a host does before it opens plugin windows on Linux: installs an X error
    handler. A bare test process has Xlib's default one, which exits the process on
    the first error, and JUCE looks up window-manager atoms (WM_PROTOCOLS,
    _NET_WM_WINDOW_TYPE, ...) only if they exist but sets them regardless; on Xvfb
    without a window manager they do not, so the first window would end the test
    run with BadAtom. Message thread. */
class ScopedXErrorHandler final
{
public:
    ScopedXErrorHandler()
    {
        if (library != nullptr)
            setHandler = reinterpret_cast<SetHandler> (dlsym (library, "XSetErrorHandler"));
        if (setHandler != nullptr)
            previous = setHandler (&ignore);
    }

    ~ScopedXErrorHandler()
    {
        if (setHandler != nullptr)
            setHandler (previous);
        if (library != nullptr)
            dlclose (library);
    }

    ScopedXErrorHandler (const ScopedXErrorHandler&) = delete;
    ScopedXErrorHandler& operator= (const ScopedXErrorHandler&) = delete;

private:
    // int (*) (Display*, XErrorEvent*), without Xlib's headers.
    using Handler = int (*) (void*, void*);
    using SetHandler = Handler (*) (Handler);

    static int ignore (void*, void*) { return 0; }

    void* library = dlopen ("libX11.so.6", RTLD_LAZY);
    SetHandler setHandler = nullptr;
    Handler previous = nullptr;
};

/** Plays `blocks` blocks of the trim ramp out and one more, and says whether that one is the input times the trim. */
bool settlesOnTrim (EarshotProcessor& processor, int blockSize)
{
    juce::AudioBuffer<float> block (2, blockSize);
    juce::MidiBuffer midi;
    test::RealtimeViolations violations;
    for (int b = 0; b < 40; ++b) // 40 x 64 samples > the 20 ms ramp
    {
        test::fillNoise (block, 0.5f, b);
        test::processCounted (processor, block, midi, violations);
    }
    test::fillNoise (block, 0.5f, 99);
    auto expected = block;
    expected.applyGain (juce::Decibels::decibelsToGain (
        processor.getParameters().getRawParameterValue (parameters::inputTrimId)->load()));
    test::processCounted (processor, block, midi, violations);
    return test::bitIdentical (block, expected);
}
/** The audio thread of the threading tests: noise through processBlock, paced so
    that the analysis keeps up, counting output outside the trim range and every
    allocation or lock. join() before reading the results. */
struct NoiseAudioThread
{
    NoiseAudioThread (EarshotProcessor& processor, double sampleRate, int blockSize, int numBlocks)
        : thread (
              [this, &processor, sampleRate, blockSize, numBlocks]
              {
                  juce::AudioBuffer<float> input (2, blockSize), block (2, blockSize);
                  juce::MidiBuffer midi;
                  test::AnalysisPacer pacer (processor, sampleRate);
                  for (int b = 0; b < numBlocks; ++b)
                  {
                      test::fillNoise (input, 0.9f, b);
                      block.makeCopyOf (input, true);
                      test::processCounted (processor, block, midi, violations);
                      outside += samplesOutsideTrimRange (block, input);
                      analysisKeptUp = pacer.afterBlock (blockSize) && analysisKeptUp;
                  }
                  finished = true;
              })
    {
    }

    void join() { thread.join(); }

    std::atomic<bool> finished { false };
    bool analysisKeptUp = true;
    int outside = 0;
    test::RealtimeViolations violations;
    std::thread thread; // last: starts once the results above exist
};
} // namespace

TEST_CASE ("Parameters changed from automation and UI threads while audio runs keep the output in range",
           "[conformance][threading]")
{
    constexpr double sampleRate = 48000.0;
    constexpr int blockSize = 64, numBlocks = 6000; // 8 s, paced so that no block is dropped

    EarshotProcessor processor;
    test::prepareAsHost (processor, sampleRate, blockSize);
    auto* trim = processor.getParameters().getParameter (parameters::inputTrimId);
    auto* bypass = processor.getParameters().getParameter (parameters::bypassId);

    NoiseAudioThread audio (processor, sampleRate, blockSize, numBlocks);

    std::thread automation (
        [&]
        {
            juce::Random random (1);
            while (! audio.finished)
            {
                trim->beginChangeGesture();
                for (int step = 0; step < 16; ++step)
                    trim->setValueNotifyingHost (random.nextFloat());
                trim->endChangeGesture();
            }
        });

    std::thread ui (
        [&]
        {
            juce::Random random (2);
            while (! audio.finished)
            {
                bypass->setValueNotifyingHost (random.nextBool() ? 1.0f : 0.0f);
                juce::ignoreUnused (trim->getText (trim->getValue(), 16), bypass->getCurrentValueAsText());
                std::this_thread::yield();
            }
        });

    audio.join();
    automation.join();
    ui.join();

    CHECK (audio.analysisKeptUp);
    CHECK (audio.outside == 0);
    test::checkRealtimeSafe (audio.violations);

    // Once the threads are done, the last setting is what the audio gets.
    bypass->setValueNotifyingHost (0.0f);
    trim->setValueNotifyingHost (trim->convertTo0to1 (12.0f));
    CHECK (settlesOnTrim (processor, blockSize));

    REQUIRE (processor.getEngine().waitUntilIdle());
    const auto& snapshot = processor.getEngine().readSnapshot();
    CHECK (snapshot.health.blocksAnalysed == numBlocks + 41u);
    CHECK (snapshot.health.blocksDropped == 0);
}

TEST_CASE ("State saved and restored on the message thread while audio runs", "[conformance][threading][state]")
{
    constexpr double sampleRate = 48000.0;
    constexpr int blockSize = 64, numBlocks = 6000;
    EarshotProcessor processor;
    test::prepareAsHost (processor, sampleRate, blockSize);

    auto stateWith = [] (float trimDb, bool bypassed)
    {
        EarshotProcessor source;
        auto* trim = source.getParameters().getParameter (parameters::inputTrimId);
        trim->setValueNotifyingHost (trim->convertTo0to1 (trimDb));
        source.getParameters().getParameter (parameters::bypassId)->setValueNotifyingHost (bypassed ? 1.0f : 0.0f);
        juce::MemoryBlock block;
        source.getStateInformation (block);
        return block;
    };
    const juce::MemoryBlock states[] = { stateWith (-6.0f, false), stateWith (6.0f, false), stateWith (0.0f, true),
                                         stateWith (-18.5f, false) };

    NoiseAudioThread audio (processor, sampleRate, blockSize, numBlocks);

    // The message thread: an autosave and a preset browser.
    int restores = 0;
    juce::MemoryBlock saved;
    while (! audio.finished)
    {
        processor.setStateInformation (states[restores % 4].getData(),
                                       static_cast<int> (states[restores % 4].getSize()));
        REQUIRE (processor.getLastStateError().isEmpty());
        processor.getStateInformation (saved);
        ++restores;
    }
    audio.join();

    CHECK (restores > 0);
    CHECK (audio.analysisKeptUp);
    CHECK (audio.outside == 0);
    test::checkRealtimeSafe (audio.violations);

    processor.setStateInformation (states[3].getData(), static_cast<int> (states[3].getSize()));
    processor.getStateInformation (saved);
    CHECK (saved == states[3]);
    CHECK (settlesOnTrim (processor, blockSize));
}

TEST_CASE ("The sample rate changes while the audio thread keeps calling back", "[conformance][threading]")
{
    // As JUCE's AudioProcessorPlayer does it: the device callback and the message
    // thread's re-preparation take the host's lock, so prepareToPlay() never runs
    // inside processBlock(), but the stream never stops and nothing is released.
    struct Host
    {
        std::mutex callbackLock;
        double sampleRate = 44100.0;
        int blockSize = 512;
        std::atomic<bool> stop { false };
    } host;

    EarshotProcessor processor;
    test::prepareAsHost (processor, host.sampleRate, host.blockSize);

    int notPassedThrough = 0;
    test::RealtimeViolations violations;
    std::thread audio (
        [&]
        {
            juce::AudioBuffer<float> input (2, 1024), block (2, 1024);
            juce::MidiBuffer midi;
            int64_t position = 0;
            while (! host.stop)
            {
                {
                    const std::lock_guard<std::mutex> lock (host.callbackLock);
                    input.setSize (2, host.blockSize, false, false, true);
                    block.setSize (2, host.blockSize, false, false, true);
                    test::fillSine (input, host.sampleRate, 997.0, 0.5f, position);
                    block.makeCopyOf (input, true);
                    test::processCounted (processor, block, midi, violations);
                    notPassedThrough += test::bitIdentical (block, input) ? 0 : 1;
                    position += host.blockSize;
                }
                // About four times real time; the device would wait for its next period here.
                std::this_thread::sleep_for (std::chrono::microseconds (static_cast<int> (250000.0 * 512 / 44100.0)));
            }
        });

    const std::pair<double, int> changes[] = { { 96000.0, 1024 }, { 22050.0, 128 }, { 192000.0, 1024 },
                                               { 48000.0, 480 },  { 88200.0, 64 },  { 48000.0, 256 } };
    std::vector<double> preparedRates { 44100.0 }, eventRates;
    auto readEvents = [&]
    {
        EngineEvent event;
        while (processor.getEngine().popEvent (event))
            if (event.kind == EngineEvent::Kind::streamPrepared)
                eventRates.push_back (event.value);
    };

    for (size_t change = 0; change < std::size (changes); ++change)
    {
        {
            const std::lock_guard<std::mutex> lock (host.callbackLock);
            if (change % 2 == 1)
                processor.releaseResources(); // some hosts release first, some do not
            host.sampleRate = changes[change].first;
            host.blockSize = changes[change].second;
            test::prepareAsHost (processor, host.sampleRate, host.blockSize);
            preparedRates.push_back (host.sampleRate);
        }
        // The UI keeps reading while the stream runs at the new rate.
        for (int poll = 0; poll < 10; ++poll)
        {
            CHECK (processor.getEngine().readSnapshot().sampleRate == host.sampleRate);
            readEvents();
            std::this_thread::sleep_for (std::chrono::milliseconds (3));
        }
    }

    host.stop = true;
    audio.join();
    readEvents();

    CHECK (notPassedThrough == 0);
    test::checkRealtimeSafe (violations);
    CHECK (eventRates == preparedRates);

    REQUIRE (processor.getEngine().waitUntilIdle());
    const auto& snapshot = processor.getEngine().readSnapshot();
    CHECK (snapshot.sampleRate == 48000.0);
    CHECK (snapshot.health.eventsLost == 0);
    CHECK (snapshot.health.blocksAnalysed > 0);
    CHECK (snapshot.levels[0].overallPeakDb == Approx (test::toDb (0.5)).margin (0.01));
}

TEST_CASE ("The editor opens and closes while audio runs", "[conformance][threading][gui]")
{
    const ScopedXErrorHandler xErrors;
    EarshotProcessor processor;
    test::prepareAsHost (processor, 48000.0, 256);

    std::atomic<bool> stop { false };
    int notPassedThrough = 0;
    test::RealtimeViolations violations;
    std::thread audio (
        [&]
        {
            juce::AudioBuffer<float> input (2, 256), block (2, 256);
            juce::MidiBuffer midi;
            for (int64_t position = 0; ! stop; position += 256)
            {
                test::fillSine (input, 48000.0, 997.0, 0.5f, position);
                block.makeCopyOf (input, true);
                test::processCounted (processor, block, midi, violations);
                notPassedThrough += test::bitIdentical (block, input) ? 0 : 1;
                std::this_thread::sleep_for (std::chrono::milliseconds (2)); // 5.3 ms of audio per block
            }
        });

    // The message thread: the user opens the window, watches it, closes it, again and again.
    for (int round = 0; round < 8; ++round)
    {
        CAPTURE (round);
        std::unique_ptr<juce::AudioProcessorEditor> editor (processor.createEditorIfNeeded());
        auto* earshotEditor = dynamic_cast<EarshotEditor*> (editor.get());
        REQUIRE (earshotEditor != nullptr);
        CHECK (processor.getActiveEditor() == editor.get());
        editor->addToDesktop (0);
        editor->setVisible (true);

        for (int frame = 0; frame < 5; ++frame)
        {
            earshotEditor->refresh(); // as its 30 Hz timer does
            const auto image = editor->createComponentSnapshot (editor->getLocalBounds());
            CHECK (image.getWidth() == processor.getEditorSize().getWidth());
            std::this_thread::sleep_for (std::chrono::milliseconds (5));
        }
        CHECK (earshotEditor->getHealthText().startsWith ("48.0 kHz, 2 ch  |  analysed "));

        editor.reset();
        CHECK (processor.getActiveEditor() == nullptr);
    }

    stop = true;
    audio.join();
    CHECK (notPassedThrough == 0);
    test::checkRealtimeSafe (violations);

    REQUIRE (processor.getEngine().waitUntilIdle());
    CHECK (processor.getEngine().readSnapshot().levels[0].overallPeakDb == Approx (test::toDb (0.5)).margin (0.01));
}

TEST_CASE ("32 instances prepared and processing at once each pass their own audio and analyse it",
           "[conformance][threading]")
{
    constexpr int numInstances = 32, numWorkers = 8, numPreparers = 4;
    constexpr double sampleRate = 48000.0;
    constexpr int blockSize = 256, numBlocks = 94; // half a second

    struct Instance
    {
        std::unique_ptr<EarshotProcessor> processor;
        juce::AudioBuffer<float> signal;
        int notPassedThrough = 0;
    };

    // Instances are made on the message thread, as hosts do; every other one is mono.
    std::vector<Instance> instances (numInstances);
    for (int i = 0; i < numInstances; ++i)
    {
        auto& instance = instances[static_cast<size_t> (i)];
        instance.processor = std::make_unique<EarshotProcessor>();
        const auto layout = i % 2 == 0 ? juce::AudioChannelSet::stereo() : juce::AudioChannelSet::mono();
        REQUIRE (instance.processor->setBusesLayout (test::layoutOf (layout)));
        instance.signal.setSize (layout.size(), blockSize * numBlocks);
        test::fillSine (instance.signal, sampleRate, 100.0 + 37.0 * i, static_cast<float> (i + 1) / 40.0f);
    }

    // Some hosts prepare plugins from several threads at once (FFTW's planner and
    // libebur128's init are serialised inside the engine).
    std::vector<std::thread> preparers;
    for (int p = 0; p < numPreparers; ++p)
        preparers.emplace_back (
            [&, p]
            {
                for (int i = p; i < numInstances; i += numPreparers)
                    instances[static_cast<size_t> (i)].processor->prepareToPlay (sampleRate, blockSize);
            });
    for (auto& preparer : preparers)
        preparer.join();

    // A DAW's worker pool: each worker renders its share of the instances, block by block.
    std::vector<test::RealtimeViolations> violations (numWorkers);
    std::vector<std::thread> workers;
    for (int w = 0; w < numWorkers; ++w)
        workers.emplace_back (
            [&, w]
            {
                juce::AudioBuffer<float> block (2, blockSize);
                juce::MidiBuffer midi;
                for (int b = 0; b < numBlocks; ++b)
                    for (int i = w; i < numInstances; i += numWorkers)
                    {
                        auto& instance = instances[static_cast<size_t> (i)];
                        const auto channels = instance.signal.getNumChannels();
                        block.setSize (channels, blockSize, false, false, true);
                        for (int c = 0; c < channels; ++c)
                            block.copyFrom (c, 0, instance.signal, c, b * blockSize, blockSize);
                        test::processCounted (*instance.processor, block, midi, violations[static_cast<size_t> (w)]);
                        instance.notPassedThrough += test::bitIdentical (block, instance.signal, b * blockSize) ? 0 : 1;
                    }
            });
    for (auto& worker : workers)
        worker.join();

    for (const auto& workerViolations : violations)
        test::checkRealtimeSafe (workerViolations);

    for (int i = 0; i < numInstances; ++i)
    {
        CAPTURE (i);
        auto& instance = instances[static_cast<size_t> (i)];
        CHECK (instance.notPassedThrough == 0);
        REQUIRE (instance.processor->getEngine().waitUntilIdle());
        const auto& snapshot = instance.processor->getEngine().readSnapshot();
        CHECK (snapshot.numChannels == instance.signal.getNumChannels());
        CHECK (snapshot.health.samplesAnalysed == static_cast<uint64_t> (blockSize * numBlocks));
        CHECK (snapshot.health.blocksDropped == 0);
        for (int c = 0; c < instance.signal.getNumChannels(); ++c)
            CHECK (test::levelsOf (snapshot, c).overallPeakDb == test::levelDb (test::peakOf (instance.signal, c)));
    }
}
