#include "Realtime/AudioTap.h"

#include "Realtime/AsymmetricFence.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace earshot
{

AudioTap::~AudioTap()
{
    release();
}

void AudioTap::detachRing() noexcept
{
    available.store (nullptr, std::memory_order_relaxed);
    AsymmetricFence::heavyFence();

    // A push that loaded the old pointer is still busy; it takes one block's copy.
    while (pushing.load (std::memory_order_acquire))
        std::this_thread::yield();
}

void AudioTap::prepare (const StreamFormat& newFormat)
{
    const auto channels = std::clamp (newFormat.numChannels, 1, maxChannels);
    const auto blockSize = std::max (newFormat.maxBlockSize, 1);
    const auto seconds = static_cast<int> (std::ceil (std::max (newFormat.sampleRate, 8000.0) * ringSeconds));
    const auto sampleCapacity = std::max (seconds, 16 * blockSize);
    // Headers for the smallest blocks a host may send (one sample) would waste
    // memory; 4096 headers hold two seconds of 32-sample blocks at 48 kHz.
    const auto blockCapacity = std::max (4096, 4 * sampleCapacity / std::max (blockSize, 1));

    auto replacement = std::make_unique<AudioRing> (channels, sampleCapacity, std::min (blockCapacity, 1 << 16));

    detachRing();
    ring = std::move (replacement);
    format = newFormat;
    sampleRate = newFormat.sampleRate;
    samplePosition = 0;
    blocksPushed.store (0, std::memory_order_relaxed);
    blocksDropped.store (0, std::memory_order_relaxed);
    samplesDropped.store (0, std::memory_order_relaxed);
    prepared.store (true, std::memory_order_relaxed);
    available.store (ring.get(), std::memory_order_release);
}

void AudioTap::release()
{
    prepared.store (false, std::memory_order_relaxed);
    detachRing();
    ring.reset();
}

void AudioTap::countDrop (int numSamples) noexcept
{
    blocksDropped.fetch_add (1, std::memory_order_relaxed);
    samplesDropped.fetch_add (static_cast<uint64_t> (numSamples), std::memory_order_relaxed);
}

void AudioTap::push (const float* const* channels, int numChannels, int numSamples,
                     const TransportState& transport) noexcept
{
    if (numSamples <= 0 || numChannels <= 0)
        return;

    pushing.store (true, std::memory_order_relaxed);
    AsymmetricFence::lightFence();
    auto* target = available.load (std::memory_order_acquire);
    if (target == nullptr)
    {
        // Unprepared (nothing to count against) or being replaced right now.
        if (prepared.load (std::memory_order_relaxed))
            countDrop (numSamples);
        pushing.store (false, std::memory_order_release);
        return;
    }

    if (target->push (channels, numChannels, numSamples, samplePosition, sampleRate, transport))
        blocksPushed.store (blocksPushed.load (std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    else
        countDrop (numSamples);

    samplePosition += numSamples;
    pushing.store (false, std::memory_order_release);
}

bool AudioTap::pop (AudioBlock& destination) noexcept
{
    return ring != nullptr && ring->pop (destination);
}

bool AudioTap::hasBlocks() const noexcept
{
    return ring != nullptr && ring->hasBlocks();
}

int AudioTap::getFreeSamples() noexcept
{
    return ring != nullptr ? ring->getFreeSamples() : 0;
}

void AudioTap::allocateBlock (AudioBlock& block) const
{
    if (ring != nullptr)
        block.allocate (ring->getMaxChannels(), ring->getSampleCapacity());
}

TapStatistics AudioTap::getStatistics() const noexcept
{
    return { blocksPushed.load (std::memory_order_relaxed), blocksDropped.load (std::memory_order_relaxed),
             samplesDropped.load (std::memory_order_relaxed) };
}

} // namespace earshot
