#include "Core/PlaybackEngine.h"

#include "Recommend/LiveRecommendations.h"

namespace earshot::host
{

PlaybackEngine::PlaybackEngine()
{
    formats.registerBasicFormats();
    readAhead.startThread();

    addLiveStages (analysis); // the plugin's stages
}

PlaybackEngine::~PlaybackEngine()
{
    analysis.release();
    transport.setSource (nullptr);
    setPlugin (nullptr);
    readAhead.stopThread (1000);
}

std::unique_ptr<juce::AudioPluginInstance> PlaybackEngine::setPlugin (std::unique_ptr<juce::AudioPluginInstance> next)
{
    if (next != nullptr && deviceRunning)
    {
        next->setPlayConfigDetails (2, 2, sampleRate, blockSize);
        next->prepareToPlay (sampleRate, blockSize);
    }

    {
        const juce::SpinLock::ScopedLockType lock (pluginLock);
        std::swap (plugin, next);
    }

    if (next != nullptr)
        next->releaseResources();
    return next;
}

bool PlaybackEngine::openFile (const juce::File& file, juce::String& error)
{
    std::unique_ptr<juce::AudioFormatReader> reader (formats.createReaderFor (file));
    if (reader == nullptr)
    {
        error = "cannot read '" + file.getFullPathName() + "': not a supported audio file, or damaged";
        return false;
    }

    const auto fileRate = reader->sampleRate;
    auto source = std::make_unique<juce::AudioFormatReaderSource> (reader.release(), true);
    transport.setSource (source.get(), 32768, &readAhead, fileRate, 2);
    fileSource = std::move (source);
    return true;
}

void PlaybackEngine::play()
{
    transport.start();
}

void PlaybackEngine::stop()
{
    transport.stop();
}

void PlaybackEngine::audioDeviceAboutToStart (juce::AudioIODevice* device)
{
    sampleRate = device->getCurrentSampleRate();
    blockSize = device->getCurrentBufferSizeSamples();
    scratch.setSize (2, std::max (blockSize, 1));
    transport.prepareToPlay (blockSize, sampleRate);
    analysis.prepare ({ sampleRate, std::max (blockSize, 1), scratch.getNumChannels() });
    deviceRunning = true;
    preparePlugin();
}

void PlaybackEngine::preparePlugin()
{
    const juce::SpinLock::ScopedLockType lock (pluginLock);
    if (plugin != nullptr)
    {
        plugin->setPlayConfigDetails (2, 2, sampleRate, blockSize);
        plugin->prepareToPlay (sampleRate, blockSize);
    }
}

void PlaybackEngine::audioDeviceStopped()
{
    deviceRunning = false;
    transport.releaseResources();
    const juce::SpinLock::ScopedLockType lock (pluginLock);
    if (plugin != nullptr)
        plugin->releaseResources();
}

void PlaybackEngine::audioDeviceIOCallbackWithContext (const float* const* inputs, int numInputs, float* const* outputs,
                                                       int numOutputs, int numSamples,
                                                       const juce::AudioIODeviceCallbackContext&)
{
    if (scratch.getNumSamples() == 0)
    {
        for (int c = 0; c < numOutputs; ++c)
            if (outputs[c] != nullptr)
                juce::FloatVectorOperations::clear (outputs[c], numSamples);
        return;
    }

    for (int offset = 0; offset < numSamples;)
    {
        const auto chunk = std::min (numSamples - offset, scratch.getNumSamples());
        juce::AudioBuffer<float> block (scratch.getArrayOfWritePointers(), scratch.getNumChannels(), chunk);

        if (fileSource != nullptr)
        {
            transport.getNextAudioBlock (juce::AudioSourceChannelInfo (block));
        }
        else
        {
            for (int c = 0; c < block.getNumChannels(); ++c)
            {
                if (numInputs > 0 && inputs[std::min (c, numInputs - 1)] != nullptr)
                    block.copyFrom (c, 0, inputs[std::min (c, numInputs - 1)] + offset, chunk);
                else
                    block.clear (c, 0, chunk);
            }
        }

        {
            const juce::SpinLock::ScopedTryLockType lock (pluginLock);
            if (lock.isLocked() && plugin != nullptr)
            {
                midi.clear();
                if (plugin->isSuspended())
                    block.clear();
                else
                    plugin->processBlock (block, midi);
            }
        }

        for (int c = 0; c < numOutputs; ++c)
            if (outputs[c] != nullptr)
                juce::FloatVectorOperations::copy (outputs[c] + offset, block.getReadPointer (std::min (c, 1)), chunk);
        // What plays, to the analysis: a copy into its ring, real-time safe.
        tap.push (block.getArrayOfReadPointers(), block.getNumChannels(), chunk);

        offset += chunk;
    }
}

} // namespace earshot::host
