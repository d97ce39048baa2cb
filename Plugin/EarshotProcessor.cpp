#include "EarshotProcessor.h"

#include "EarshotEditor.h"
#include "Parameters.h"
#include "PluginState.h"
#include "Recommend/LiveRecommendations.h"

namespace earshot
{
namespace
{
const juce::Identifier settingsType { "Settings" };
const juce::Identifier editorWidth { "editorWidth" };
const juce::Identifier editorHeight { "editorHeight" };

juce::ValueTree defaultSettings()
{
    juce::ValueTree tree { settingsType };
    tree.setProperty (editorWidth, EarshotEditor::defaultWidth, nullptr);
    tree.setProperty (editorHeight, EarshotEditor::defaultHeight, nullptr);
    return tree;
}
} // namespace

EarshotProcessor::EarshotProcessor()
    : AudioProcessor (BusesProperties()
                          .withInput ("Input", juce::AudioChannelSet::stereo(), true)
                          .withOutput ("Output", juce::AudioChannelSet::stereo(), true))
    , parameters (*this, nullptr, "Parameters", parameters::createLayout())
    , settings (defaultSettings())
{
    trimDb = parameters.getRawParameterValue (parameters::inputTrimId);
    bypass = dynamic_cast<juce::AudioParameterBool*> (parameters.getParameter (parameters::bypassId));
    jassert (trimDb != nullptr && bypass != nullptr);

    recommendations = &addLiveStages (engine);
}

EarshotProcessor::~EarshotProcessor()
{
    engine.release();
}

void EarshotProcessor::prepareToPlay (double sampleRate, int maximumExpectedSamplesPerBlock)
{
    const auto channels = std::max (getTotalNumInputChannels(), 1);
    engine.prepare ({ sampleRate, std::max (maximumExpectedSamplesPerBlock, 1), channels });

    trimGain.reset (sampleRate, 0.02);
    trimGain.setCurrentAndTargetValue (juce::Decibels::decibelsToGain (trimDb->load()));
    setLatencySamples (0);
}

void EarshotProcessor::releaseResources()
{
    engine.release();
}

bool EarshotProcessor::isBusesLayoutSupported (const BusesLayout& layouts) const
{
    const auto& in = layouts.getMainInputChannelSet();
    const auto& out = layouts.getMainOutputChannelSet();
    return in == out && (out == juce::AudioChannelSet::mono() || out == juce::AudioChannelSet::stereo());
}

TransportState EarshotProcessor::readTransport() noexcept
{
    TransportState transport;
    if (auto* host = getPlayHead())
    {
        if (const auto position = host->getPosition())
        {
            transport.isPlaying = position->getIsPlaying();
            transport.isRecording = position->getIsRecording();
            if (const auto bpm = position->getBpm())
            {
                transport.hasTempo = true;
                transport.bpm = *bpm;
            }
            if (const auto samples = position->getTimeInSamples())
            {
                transport.hasPosition = true;
                transport.hostTimeInSamples = *samples;
            }
            if (const auto ppq = position->getPpqPosition())
                transport.ppqPosition = *ppq;
        }
    }
    return transport;
}

void EarshotProcessor::tapBlock (const juce::AudioBuffer<float>& buffer) noexcept
{
    tap.push (buffer.getArrayOfReadPointers(), std::min (buffer.getNumChannels(), getTotalNumInputChannels()),
              buffer.getNumSamples(), readTransport());
}

void EarshotProcessor::processBlock (juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi)
{
    juce::ignoreUnused (midi);
    juce::ScopedNoDenormals noDenormals;

    for (auto channel = getTotalNumInputChannels(); channel < buffer.getNumChannels(); ++channel)
        buffer.clear (channel, 0, buffer.getNumSamples());

    if (bypass->get())
    {
        tapBlock (buffer);
        return;
    }

    trimGain.setTargetValue (juce::Decibels::decibelsToGain (trimDb->load (std::memory_order_relaxed)));
    if (trimGain.isSmoothing())
    {
        const auto start = trimGain.getCurrentValue();
        trimGain.skip (buffer.getNumSamples());
        buffer.applyGainRamp (0, buffer.getNumSamples(), start, trimGain.getCurrentValue());
    }
    else if (trimGain.getTargetValue() != 1.0f)
    {
        // At 0 dB the audio is left alone, so Earshot passes through bit-exact.
        buffer.applyGain (trimGain.getTargetValue());
    }

    tapBlock (buffer);
}

void EarshotProcessor::processBlockBypassed (juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi)
{
    juce::ignoreUnused (midi);
    for (auto channel = getTotalNumInputChannels(); channel < buffer.getNumChannels(); ++channel)
        buffer.clear (channel, 0, buffer.getNumSamples());

    // The host bypasses the plugin, not the listener: keep analysing what plays.
    tapBlock (buffer);
}

void EarshotProcessor::recordFeedback (const FeedbackEvent& event)
{
    recommendations->recordFeedback (event);
}

juce::AudioProcessorEditor* EarshotProcessor::createEditor()
{
    return new EarshotEditor (*this);
}

juce::AudioProcessorParameter* EarshotProcessor::getBypassParameter() const
{
    return bypass;
}

void EarshotProcessor::getStateInformation (juce::MemoryBlock& destData)
{
    juce::ValueTree state { PluginState::stateType };
    state.appendChild (parameters.copyState(), nullptr);
    state.appendChild (settings.createCopy(), nullptr);
    destData = PluginState::write (state);
}

void EarshotProcessor::setStateInformation (const void* data, int sizeInBytes)
{
    juce::String error;
    const auto state = PluginState::read (data, static_cast<size_t> (std::max (sizeInBytes, 0)), error);
    if (! state.has_value())
    {
        lastStateError = error;
        DBG ("Earshot: ignoring saved state: " << error);
        return;
    }

    const auto savedParameters = state->getChildWithName (parameters.state.getType());
    if (! savedParameters.isValid())
    {
        lastStateError = "state has no parameters";
        return;
    }

    // Every stored value must be one the parameter can take. A NaN (or no number)
    // refuses the state; a value outside the range (a newer or hand-edited session)
    // is clamped into it, so the rest of the settings still come back.
    auto restored = savedParameters.createCopy();
    for (auto child : restored)
    {
        const auto id = child.getProperty ("id").toString();
        auto* parameter = dynamic_cast<juce::RangedAudioParameter*> (parameters.getParameter (id));
        if (parameter == nullptr)
            continue; // not ours (any more): ignored, as APVTS would
        const auto value = child.getProperty ("value");
        if (value.isVoid())
            continue; // an older session without this value: the parameter keeps its own
        const auto plain = static_cast<double> (value);
        if (! (value.isDouble() || value.isInt() || value.isInt64()) || std::isnan (plain))
        {
            lastStateError = "state has an invalid value for parameter '" + id + "'";
            return;
        }
        const auto& range = parameter->getNormalisableRange();
        child.setProperty (
            "value", juce::jlimit (static_cast<double> (range.start), static_cast<double> (range.end), plain), nullptr);
    }

    parameters.replaceState (restored);

    auto savedSettings = state->getChildWithName (settingsType);
    settings = savedSettings.isValid() ? savedSettings.createCopy() : defaultSettings();
    lastStateError.clear();
}

juce::Rectangle<int> EarshotProcessor::getEditorSize() const
{
    const auto width = static_cast<int> (settings.getProperty (editorWidth, EarshotEditor::defaultWidth));
    const auto height = static_cast<int> (settings.getProperty (editorHeight, EarshotEditor::defaultHeight));
    return { juce::jlimit (EarshotEditor::minWidth, EarshotEditor::maxWidth, width),
             juce::jlimit (EarshotEditor::minHeight, EarshotEditor::maxHeight, height) };
}

void EarshotProcessor::setEditorSize (juce::Rectangle<int> size)
{
    settings.setProperty (editorWidth, size.getWidth(), nullptr);
    settings.setProperty (editorHeight, size.getHeight(), nullptr);
}

} // namespace earshot

juce::AudioProcessor* JUCE_CALLTYPE createPluginFilter()
{
    return new earshot::EarshotProcessor();
}
