#include "Realtime/AudioRing.h"

#include <algorithm>
#include <cstring>

namespace earshot
{
namespace
{
uint64_t nextPowerOfTwo (int value)
{
    uint64_t result = 1;
    while (result < static_cast<uint64_t> (std::max (value, 1)))
        result <<= 1;
    return result;
}
} // namespace

AudioRing::AudioRing (int maxChannelsToUse, int minSampleCapacity, int minBlockCapacity)
    : maxChannels (std::max (maxChannelsToUse, 1))
    , sampleCapacity (nextPowerOfTwo (minSampleCapacity))
    , sampleMask (sampleCapacity - 1)
    , headerCapacity (nextPowerOfTwo (minBlockCapacity))
    , headerMask (headerCapacity - 1)
    , samples (new float[static_cast<size_t> (maxChannels) * sampleCapacity]())
    , headers (new Header[headerCapacity])
{
}

bool AudioRing::push (const float* const* channels, int numChannels, int numSamplesToPush, int64_t samplePosition,
                      double sampleRate, const TransportState& transport) noexcept
{
    const auto numSamples = static_cast<uint64_t> (std::max (numSamplesToPush, 0));

    if (producerHeaderWrite - cachedHeaderRead >= headerCapacity)
    {
        cachedHeaderRead = headerRead.load (std::memory_order_acquire);
        if (producerHeaderWrite - cachedHeaderRead >= headerCapacity)
            return false;
    }

    if (producerSampleWrite + numSamples - cachedSampleRead > sampleCapacity)
    {
        cachedSampleRead = sampleRead.load (std::memory_order_acquire);
        if (producerSampleWrite + numSamples - cachedSampleRead > sampleCapacity)
            return false;
    }

    auto& header = headers[producerHeaderWrite & headerMask];
    header.info.samplePosition = samplePosition;
    header.info.sampleRate = sampleRate;
    header.info.numChannels = std::min (numChannels, maxChannels);
    header.info.numSamples = numSamplesToPush;
    header.info.transport = transport;
    header.firstSample = producerSampleWrite;

    copyIn (channels, header.info.numChannels, producerSampleWrite, numSamplesToPush);

    producerSampleWrite += numSamples;
    ++producerHeaderWrite;
    headerWrite.store (producerHeaderWrite, std::memory_order_release);
    return true;
}

bool AudioRing::pop (AudioBlock& destination) noexcept
{
    if (consumerHeaderRead == cachedHeaderWrite)
    {
        cachedHeaderWrite = headerWrite.load (std::memory_order_acquire);
        if (consumerHeaderRead == cachedHeaderWrite)
            return false;
    }

    const auto& header = headers[consumerHeaderRead & headerMask];
    const auto numChannels = std::min (header.info.numChannels, destination.getMaxChannels());
    const auto numSamples = std::min (header.info.numSamples, destination.getMaxSamples());

    auto info = header.info;
    info.numChannels = numChannels;
    info.numSamples = numSamples;
    destination.resizeWithoutAllocating (info);
    copyOut (destination, numChannels, header.firstSample, numSamples);

    sampleRead.store (header.firstSample + static_cast<uint64_t> (header.info.numSamples), std::memory_order_release);
    ++consumerHeaderRead;
    headerRead.store (consumerHeaderRead, std::memory_order_release);
    return true;
}

int AudioRing::getFreeSamples() noexcept
{
    cachedHeaderRead = headerRead.load (std::memory_order_acquire);
    if (producerHeaderWrite - cachedHeaderRead >= headerCapacity)
        return 0;

    cachedSampleRead = sampleRead.load (std::memory_order_acquire);
    return static_cast<int> (sampleCapacity - (producerSampleWrite - cachedSampleRead));
}

bool AudioRing::hasBlocks() const noexcept
{
    return headerRead.load (std::memory_order_acquire) != headerWrite.load (std::memory_order_acquire);
}

void AudioRing::copyIn (const float* const* channels, int numChannels, uint64_t firstSample, int numSamples) noexcept
{
    const auto start = firstSample & sampleMask;
    const auto firstPart = std::min (static_cast<uint64_t> (numSamples), sampleCapacity - start);
    const auto secondPart = static_cast<uint64_t> (numSamples) - firstPart;

    for (int channel = 0; channel < numChannels; ++channel)
    {
        auto* ring = samples.get() + static_cast<size_t> (channel) * sampleCapacity;
        const auto* source = channels[channel];
        std::memcpy (ring + start, source, firstPart * sizeof (float));
        if (secondPart > 0)
            std::memcpy (ring, source + firstPart, secondPart * sizeof (float));
    }
}

void AudioRing::copyOut (AudioBlock& destination, int numChannels, uint64_t firstSample, int numSamples) const noexcept
{
    const auto start = firstSample & sampleMask;
    const auto firstPart = std::min (static_cast<uint64_t> (numSamples), sampleCapacity - start);
    const auto secondPart = static_cast<uint64_t> (numSamples) - firstPart;

    for (int channel = 0; channel < numChannels; ++channel)
    {
        const auto* ring = samples.get() + static_cast<size_t> (channel) * sampleCapacity;
        auto* target = destination.getWritePointer (channel);
        std::memcpy (target, ring + start, firstPart * sizeof (float));
        if (secondPart > 0)
            std::memcpy (target + firstPart, ring, secondPart * sizeof (float));
    }
}

} // namespace earshot
