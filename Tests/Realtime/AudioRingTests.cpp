#include "Realtime/AudioRing.h"
#include "Support/TestSignals.h"

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

using namespace earshot;

namespace
{
/** Producer-side block whose samples carry their own identity. */
struct SignedBlock
{
    std::vector<std::vector<float>> channels;
    std::vector<const float*> pointers;

    SignedBlock (uint32_t index, int numChannels, int numSamples)
    {
        for (int c = 0; c < numChannels; ++c)
        {
            channels.emplace_back (static_cast<size_t> (numSamples));
            for (int i = 0; i < numSamples; ++i)
                channels.back()[static_cast<size_t> (i)] = test::signature (index, c, i);
            pointers.push_back (channels.back().data());
        }
    }
};

BlockInfo infoFor (int64_t position, int numChannels, int numSamples)
{
    BlockInfo info;
    info.samplePosition = position;
    info.sampleRate = 48000.0;
    info.numChannels = numChannels;
    info.numSamples = numSamples;
    return info;
}

/** True if every sample of `block` is the signature of block `index`. */
bool carriesSignature (const AudioBlock& block, uint32_t index)
{
    for (int c = 0; c < block.getNumChannels(); ++c)
        for (int i = 0; i < block.getNumSamples(); ++i)
            if (block.getReadPointer (c)[i] != test::signature (index, c, i))
                return false;
    return true;
}
} // namespace

TEST_CASE ("AudioRing rounds its capacities up to powers of two", "[realtime][ring]")
{
    AudioRing ring (2, 1000, 3);
    CHECK (ring.getSampleCapacity() == 1024);
    CHECK (ring.getBlockCapacity() == 4);
}

TEST_CASE ("AudioRing drops exactly the blocks that do not fit, and keeps the rest intact", "[realtime][ring]")
{
    AudioRing ring (2, 1024, 64);
    AudioBlock out;
    out.allocate (2, ring.getSampleCapacity());

    SECTION ("sample capacity is the limit")
    {
        // 1024 samples hold seven 128-sample blocks and one more; the ninth must be refused.
        int accepted = 0;
        for (uint32_t b = 0; b < 12; ++b)
        {
            SignedBlock block (b, 2, 128);
            if (ring.push (block.pointers.data(), infoFor (b * 128, 2, 128)))
                ++accepted;
        }
        CHECK (accepted == 8);

        for (uint32_t b = 0; b < 8; ++b)
        {
            REQUIRE (ring.pop (out));
            CHECK (out.getInfo().samplePosition == b * 128);
            CHECK (carriesSignature (out, b));
        }
        CHECK_FALSE (ring.pop (out));
    }

    SECTION ("block capacity is the limit")
    {
        AudioRing small (1, 1024, 4);
        int accepted = 0;
        for (uint32_t b = 0; b < 10; ++b)
        {
            SignedBlock block (b, 1, 1);
            accepted += small.push (block.pointers.data(), infoFor (b, 1, 1)) ? 1 : 0;
        }
        CHECK (accepted == 4);
    }

    SECTION ("a block larger than the ring is refused, a smaller one after it is not")
    {
        SignedBlock huge (0, 2, 2048);
        CHECK_FALSE (ring.push (huge.pointers.data(), infoFor (0, 2, 2048)));
        SignedBlock fits (1, 2, 1024);
        CHECK (ring.push (fits.pointers.data(), infoFor (0, 2, 1024)));
        REQUIRE (ring.pop (out));
        CHECK (carriesSignature (out, 1));
    }

    SECTION ("channels beyond the ring's count are not stored")
    {
        SignedBlock wide (3, 5, 16);
        REQUIRE (ring.push (wide.pointers.data(), infoFor (0, 5, 16)));
        REQUIRE (ring.pop (out));
        CHECK (out.getNumChannels() == 2);
        CHECK (carriesSignature (out, 3));
    }
}

TEST_CASE ("AudioRing keeps blocks whole across the wrap-around point", "[realtime][ring]")
{
    AudioRing ring (2, 256, 16);
    AudioBlock out;
    out.allocate (2, ring.getSampleCapacity());

    // 100-sample blocks wrap at a different offset every lap.
    for (uint32_t b = 0; b < 200; ++b)
    {
        SignedBlock block (b, 2, 100);
        REQUIRE (ring.push (block.pointers.data(), infoFor (b * 100, 2, 100)));
        REQUIRE (ring.pop (out));
        REQUIRE (carriesSignature (out, b));
    }
}

TEST_CASE ("AudioRing under two real threads: order kept, nothing lost, no torn blocks", "[realtime][ring][threads]")
{
    constexpr uint32_t numBlocks = 20000;
    AudioRing ring (2, 4096, 256);

    // Prepared up front so the producer loop only pushes.
    std::vector<SignedBlock> blocks;
    blocks.reserve (1024);
    for (uint32_t b = 0; b < 1024; ++b)
        blocks.emplace_back (b, 2, static_cast<int> (1 + (b * 37) % 700));

    std::thread producer (
        [&]
        {
            for (uint32_t b = 0; b < numBlocks; ++b)
            {
                const auto& block = blocks[b % blocks.size()];
                const auto size = static_cast<int> (block.channels[0].size());
                // A full ring refuses; this producer is not real-time, so it retries.
                while (! ring.push (block.pointers.data(), infoFor (b, 2, size)))
                    std::this_thread::yield();
            }
        });

    AudioBlock out;
    out.allocate (2, ring.getSampleCapacity());
    uint32_t received = 0, outOfOrder = 0, torn = 0;
    while (received < numBlocks)
    {
        if (! ring.pop (out))
        {
            std::this_thread::yield();
            continue;
        }
        outOfOrder += out.getInfo().samplePosition == received ? 0u : 1u;
        torn += carriesSignature (out, received % 1024u) ? 0u : 1u;
        ++received;
    }
    producer.join();

    CHECK (received == numBlocks);
    CHECK (outOfOrder == 0);
    CHECK (torn == 0);
    CHECK_FALSE (ring.pop (out));
}

TEST_CASE ("AudioRing under two real threads: a producer that never waits loses exactly what it counts",
           "[realtime][ring][threads]")
{
    constexpr uint32_t numBlocks = 50000;
    AudioRing ring (1, 512, 64);
    std::vector<SignedBlock> blocks;
    for (uint32_t b = 0; b < 1024; ++b)
        blocks.emplace_back (b, 1, 64);

    std::atomic<bool> done { false };
    std::vector<uint32_t> pushed;
    pushed.reserve (numBlocks);

    std::thread producer (
        [&]
        {
            for (uint32_t b = 0; b < numBlocks; ++b)
            {
                if (ring.push (blocks[b % 1024].pointers.data(), infoFor (b, 1, 64)))
                    pushed.push_back (b);
            }
            done = true;
        });

    AudioBlock out;
    out.allocate (1, ring.getSampleCapacity());
    std::vector<uint32_t> popped;
    popped.reserve (numBlocks);
    uint32_t torn = 0;
    while (! done.load() || ring.hasBlocks())
    {
        if (ring.pop (out))
        {
            const auto index = static_cast<uint32_t> (out.getInfo().samplePosition);
            torn += carriesSignature (out, index % 1024u) ? 0u : 1u;
            popped.push_back (index);
        }
    }
    producer.join();
    while (ring.pop (out))
        popped.push_back (static_cast<uint32_t> (out.getInfo().samplePosition));

    CHECK (popped == pushed);
    CHECK (torn == 0);
}
