#include "EarshotProcessor.h"
#include "Parameters.h"
#include "Support/AllocationGuard.h"
#include "Support/TestSignals.h"

#include <catch2/catch.hpp>

using namespace earshot;

TEST_CASE ("processBlock neither allocates, frees nor locks at any sample rate and block size",
           "[plugin][realtime][allocation][guard]")
{
    REQUIRE (test::ScopedAllocationGuard::isActive());

    const auto sampleRate = GENERATE (22050.0, 44100.0, 48000.0, 96000.0, 192000.0);
    const auto blockSize = GENERATE (1, 32, 250, 512, 4096);
    CAPTURE (sampleRate, blockSize);

    EarshotProcessor processor;
    processor.setPlayConfigDetails (2, 2, sampleRate, blockSize);
    processor.prepareToPlay (sampleRate, blockSize);

    // Everything a block needs is made before the guard: the buffers are the host's.
    juce::AudioBuffer<float> prepared (2, blockSize);
    juce::AudioBuffer<float> larger (2, blockSize * 2 + 7);
    juce::AudioBuffer<float> single (2, 1);
    test::fillNoise (prepared, 0.5f, 11);
    test::fillNoise (larger, 0.5f, 12);
    test::fillNoise (single, 0.5f, 13);
    juce::MidiBuffer midi;
    auto* trim = processor.getParameters().getParameter (parameters::inputTrimId);
    auto* bypass = processor.getParameters().getParameter (parameters::bypassId);

    // Only the processing is guarded: the host's parameter changes between blocks
    // notify listeners under JUCE's listener lock, which is the host's business.
    uint64_t allocations = 0, deallocations = 0, locks = 0;
    auto guarded = [&] (auto&& process)
    {
        const test::ScopedAllocationGuard guard;
        process();
        allocations += guard.allocations();
        deallocations += guard.deallocations();
        locks += guard.locks();
    };

    for (int b = 0; b < 20; ++b)
    {
        if (b == 5)
            trim->setValueNotifyingHost (0.75f); // the gain ramps on the next blocks
        if (b == 12)
            bypass->setValueNotifyingHost (1.0f);
        guarded (
            [&]
            {
                processor.processBlock (prepared, midi);
                processor.processBlock (larger, midi);
                processor.processBlock (single, midi);
            });
    }
    guarded ([&] { processor.processBlockBypassed (prepared, midi); });

    CHECK (allocations == 0);
    CHECK (deallocations == 0);
    CHECK (locks == 0);
}

TEST_CASE ("The allocation guard does see allocations on the guarded thread", "[plugin][allocation][guard]")
{
    // Proves the guard above could fail.
    REQUIRE (test::ScopedAllocationGuard::isActive());
    const test::ScopedAllocationGuard guard;
    auto* leak = new std::vector<float> (100);
    delete leak;
    std::mutex mutex;
    mutex.lock();
    mutex.unlock();
    CHECK (guard.allocations() == 2);
    CHECK (guard.deallocations() == 2);
    CHECK (guard.locks() == 1);
}
