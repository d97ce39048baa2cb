#include "Realtime/AudioTap.h"
#include "Support/AllocationGuard.h"
#include "Support/TestSignals.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace earshot;

TEST_CASE ("AudioTap ignores pushes before it is prepared, and counts nothing", "[realtime][tap]")
{
    AudioTap tap;
    juce::AudioBuffer<float> buffer (2, 64);
    buffer.clear();
    tap.push (buffer.getArrayOfReadPointers(), 2, 64);
    const auto stats = tap.getStatistics();
    CHECK (stats.blocksPushed == 0);
    CHECK (stats.blocksDropped == 0);
}

TEST_CASE ("AudioTap passes a block larger than prepared for", "[realtime][tap]")
{
    AudioTap tap;
    tap.prepare ({ 48000.0, 64, 2 });
    juce::AudioBuffer<float> buffer (2, 4096);
    test::fillSine (buffer, 48000.0, 1000.0, 0.5f);
    tap.push (buffer.getArrayOfReadPointers(), 2, 4096);

    AudioBlock block;
    tap.allocateBlock (block);
    REQUIRE (tap.pop (block));
    CHECK (block.getNumSamples() == 4096);
    CHECK (block.getReadPointer (1)[4095] == buffer.getSample (1, 4095));
    CHECK (tap.getStatistics().blocksDropped == 0);
}

TEST_CASE ("AudioTap numbers blocks by stream position and keeps transport state", "[realtime][tap]")
{
    AudioTap tap;
    tap.prepare ({ 44100.0, 128, 1 });
    juce::AudioBuffer<float> buffer (1, 128);
    buffer.clear();
    TransportState transport;
    transport.isPlaying = true;
    transport.hasTempo = true;
    transport.bpm = 124.0;

    for (int b = 0; b < 3; ++b)
        tap.push (buffer.getArrayOfReadPointers(), 1, 100 + b, transport);

    AudioBlock block;
    tap.allocateBlock (block);
    int64_t expectedPosition = 0;
    for (int b = 0; b < 3; ++b)
    {
        REQUIRE (tap.pop (block));
        CHECK (block.getInfo().samplePosition == expectedPosition);
        CHECK (block.getInfo().sampleRate == 44100.0);
        CHECK (block.getInfo().transport.isPlaying);
        CHECK (block.getInfo().transport.bpm == 124.0);
        expectedPosition += 100 + b;
    }
}

TEST_CASE ("AudioTap::push neither allocates, frees nor locks", "[realtime][tap][allocation]")
{
    AudioTap tap;
    tap.prepare ({ 48000.0, 512, 2 });
    juce::AudioBuffer<float> buffer (2, 512);
    test::fillNoise (buffer, 0.5f, 1);

    const test::ScopedAllocationGuard guard;
    // Enough pushes to fill the ring and take the dropping path as well.
    for (int b = 0; b < 1000; ++b)
        tap.push (buffer.getArrayOfReadPointers(), 2, 512);

    CHECK (guard.allocations() == 0);
    CHECK (guard.deallocations() == 0);
    CHECK (guard.locks() == 0);
    CHECK (tap.getStatistics().blocksDropped > 0);
}

TEST_CASE ("AudioTap can be prepared again while another thread keeps pushing", "[realtime][tap][threads]")
{
    AudioTap tap;
    tap.prepare ({ 48000.0, 256, 2 });

    std::atomic<bool> stop { false };
    std::atomic<uint64_t> attempts { 0 };
    std::thread audio (
        [&]
        {
            juce::AudioBuffer<float> buffer (2, 256);
            test::fillNoise (buffer, 0.1f, 2);
            while (! stop.load())
            {
                tap.push (buffer.getArrayOfReadPointers(), 2, 256);
                attempts.fetch_add (1);
            }
        });

    AudioBlock block;
    const double rates[] = { 44100.0, 96000.0, 22050.0, 192000.0, 48000.0 };
    for (int round = 0; round < 50; ++round)
    {
        tap.prepare ({ rates[round % 5], 64 << (round % 4), 1 + round % 2 });
        tap.allocateBlock (block);
        for (int i = 0; i < 10; ++i)
            while (tap.pop (block))
                REQUIRE (block.getInfo().sampleRate == rates[round % 5]);
    }

    stop = true;
    audio.join();
    CHECK (attempts.load() > 0);

    // After all that, the tap still takes and gives back a block exactly.
    while (tap.pop (block))
        ;
    const auto before = tap.getStatistics();
    juce::AudioBuffer<float> one (2, 64);
    test::fillSine (one, 48000.0, 440.0, 0.5f);
    tap.push (one.getArrayOfReadPointers(), 2, 64);
    CHECK (tap.getStatistics().blocksPushed == before.blocksPushed + 1);
    REQUIRE (tap.pop (block));
    CHECK (block.getNumSamples() == 64);
    CHECK (block.getReadPointer (1)[10] == one.getSample (1, 10));
}
