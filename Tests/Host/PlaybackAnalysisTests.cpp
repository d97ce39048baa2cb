// The host's own analysis: what plays through PlaybackEngine reaches the same
// stages the plugin runs (levels, features, live recommendations), whatever
// plugin is loaded, or none.

#include "Core/PlaybackEngine.h"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace earshot;

namespace
{
/** Just enough of an audio device for audioDeviceAboutToStart(). */
class FakeDevice final : public juce::AudioIODevice
{
public:
    FakeDevice (double rate, int block)
        : juce::AudioIODevice ("fake", "fake")
        , sampleRate (rate)
        , blockSize (block)
    {
    }
    juce::StringArray getOutputChannelNames() override { return { "L", "R" }; }
    juce::StringArray getInputChannelNames() override { return {}; }
    juce::Array<double> getAvailableSampleRates() override { return { sampleRate }; }
    juce::Array<int> getAvailableBufferSizes() override { return { blockSize }; }
    int getDefaultBufferSize() override { return blockSize; }
    juce::String open (const juce::BigInteger&, const juce::BigInteger&, double, int) override { return {}; }
    void close() override {}
    bool isOpen() override { return true; }
    void start (juce::AudioIODeviceCallback*) override {}
    void stop() override {}
    bool isPlaying() override { return true; }
    juce::String getLastError() override { return {}; }
    int getCurrentBufferSizeSamples() override { return blockSize; }
    double getCurrentSampleRate() override { return sampleRate; }
    int getCurrentBitDepth() override { return 32; }
    juce::BigInteger getActiveOutputChannels() const override { return 3; }
    juce::BigInteger getActiveInputChannels() const override { return 0; }
    int getOutputLatencyInSamples() override { return 0; }
    int getInputLatencyInSamples() override { return 0; }

private:
    double sampleRate;
    int blockSize;
};
} // namespace

TEST_CASE ("The host analyses what it plays, with no plugin loaded", "[host][recommend]")
{
    // No catalog where the live recommendations look: they must say so.
    const auto dataHome = juce::File::createTempFile ("earshot-host-data");
    REQUIRE (dataHome.createDirectory());
    setenv ("XDG_DATA_HOME", dataHome.getFullPathName().toRawUTF8(), 1);

    constexpr double rate = 48000.0;
    constexpr int block = 480;
    host::PlaybackEngine playback;
    FakeDevice device (rate, block);
    playback.audioDeviceAboutToStart (&device);
    juce::String error;
    REQUIRE (playback.openFile (juce::File (EARSHOT_DEMO_DIR "/demo-groove.wav"), error));
    playback.play();

    juce::AudioBuffer<float> output (2, block);
    constexpr int blocks = 600; // 6 s
    for (int i = 0; i < blocks; ++i)
    {
        playback.audioDeviceIOCallbackWithContext (nullptr, 0, output.getArrayOfWritePointers(), 2, block, {});
        juce::Thread::sleep (1); // lets the read-ahead thread keep up, as a real device's pace would
    }
    auto& analysis = playback.getAnalysis();
    REQUIRE (analysis.waitUntilIdle (20000));
    juce::Thread::sleep (100); // one more publication
    const auto snapshot = analysis.readSnapshot();

    CHECK (snapshot.streamSeconds == Approx (6.0).margin (0.03));
    CHECK (snapshot.health.blocksDropped == 0);
    CHECK (snapshot.numChannels == 2);
    CHECK (snapshot.levels[0].rmsDb > -40.0f); // the groove, not silence
    CHECK (snapshot.frame.index > 400);        // the features stage ran
    CHECK (snapshot.recommendations.status == RecommendationList::Status::noCatalog);

    playback.audioDeviceStopped();
    unsetenv ("XDG_DATA_HOME");
    dataHome.deleteRecursively();
}
