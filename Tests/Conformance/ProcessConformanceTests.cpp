// What hosts and plugin validators (pluginval's BasicTests) do to processBlock:
// every sample rate and block size, block sizes that change from call to call,
// blocks larger than prepared, hostile sample values, preparing again without
// releasing, and bus layout changes. In each, the audio must come out exactly as
// it went in, the analysis must see all of it and recover from bad input, and the
// audio thread must never allocate, free or lock.

#include "Conformance/ConformanceHost.h"
#include "Features/Spectrum.h"
#include "Parameters.h"
#include "Support/TestSignals.h"

#include <catch2/catch.hpp>

#include <limits>
#include <vector>

using namespace earshot;

namespace
{
constexpr double sineHz = 997.0;
constexpr float leftAmplitude = 0.5f, rightAmplitude = 0.25f;

/** A sine with a different level in each channel, so a dropped or swapped channel shows. */
juce::AudioBuffer<float> sineSignal (double sampleRate, int numChannels, int numSamples, int64_t startSample = 0)
{
    juce::AudioBuffer<float> signal (numChannels, numSamples);
    test::fillSine (signal, sampleRate, sineHz, leftAmplitude, startSample);
    if (numChannels > 1)
        signal.applyGain (1, 0, numSamples, rightAmplitude / leftAmplitude);
    return signal;
}

/** RMS over all channels of sineSignal(), in dBFS: what a frame's rmsDbfs reads. */
double sineMixRmsDb (int numChannels)
{
    const auto left = leftAmplitude * leftAmplitude / 2.0, right = rightAmplitude * rightAmplitude / 2.0;
    return 10.0 * std::log10 (numChannels > 1 ? (left + right) / 2.0 : left);
}

/** The Level stage's peak of `signal` from `start` on, where NaN and Inf count as the silence it analyses them as. */
float finitePeakOf (const juce::AudioBuffer<float>& signal, int channel, int start = 0)
{
    float peak = 0.0f;
    for (int i = start; i < signal.getNumSamples(); ++i)
        if (std::isfinite (signal.getSample (channel, i)))
            peak = std::max (peak, std::abs (signal.getSample (channel, i)));
    return peak;
}

/** FeatureFrame's promise: plain numbers, -inf for "no level", NaN never. */
void checkFrameIsNumbers (const FeatureFrame& frame, double sampleRate)
{
    CAPTURE (frame.index);
    for (const auto level :
         { frame.momentaryLufs, frame.shortTermLufs, frame.rmsDbfs, frame.peakDbfs, frame.truePeakDbtp })
    {
        CHECK_FALSE (std::isnan (level));
        CHECK (level < std::numeric_limits<float>::infinity());
    }
    CHECK (frame.spectralCentroidHz >= 0.0f);
    CHECK (frame.spectralCentroidHz <= sampleRate / 2.0);
    CHECK (frame.spectralSpreadHz >= 0.0f);
    CHECK (frame.spectralSpreadHz <= sampleRate / 2.0);
    CHECK (frame.spectralRolloffHz >= 0.0f);
    CHECK (frame.spectralRolloffHz <= sampleRate / 2.0);
    CHECK (frame.spectralFlatness >= 0.0f);
    CHECK (frame.spectralFlatness <= 1.0f);
    CHECK (std::isfinite (frame.spectralFlux));
    CHECK (frame.zeroCrossingRate >= 0.0f);
    CHECK (frame.zeroCrossingRate <= 1.0f);
    for (const auto coefficient : frame.mfcc)
        CHECK (std::isfinite (coefficient));
    float chromaSum = 0.0f;
    for (const auto bin : frame.chroma)
    {
        CHECK (bin >= 0.0f);
        chromaSum += bin;
    }
    CHECK ((chromaSum == 0.0f || chromaSum == Approx (1.0f).margin (1e-4)));
    CHECK (std::isfinite (frame.onsetStrength));
    CHECK (frame.stereoCorrelation >= -1.0f);
    CHECK (frame.stereoCorrelation <= 1.0f);
    CHECK (frame.stereoWidth >= 0.0f);
    CHECK (frame.stereoWidth <= 1.0f);
    CHECK (frame.stereoBalance >= -1.0f);
    CHECK (frame.stereoBalance <= 1.0f);
}

/** The frame the analysis ends on after hearing sineSignal(): the sine's level and zero crossings. */
void checkFrameHearsTheSine (const FeatureFrame& frame, double sampleRate, int numChannels)
{
    checkFrameIsNumbers (frame, sampleRate);
    CHECK_FALSE (frame.hadInvalidInput);
    CHECK_FALSE (frame.isSilent);
    CHECK (frame.rmsDbfs == Approx (sineMixRmsDb (numChannels)).margin (0.1));
    const auto fftSize = Spectrum::fftSizeFor (sampleRate);
    CHECK (frame.zeroCrossingRate == Approx (2.0 * sineHz / sampleRate).margin (1.5 / (fftSize - 1)));
}

std::vector<EngineEvent> drainEvents (EarshotProcessor& processor)
{
    std::vector<EngineEvent> events;
    EngineEvent event;
    while (processor.getEngine().popEvent (event))
        events.push_back (event);
    return events;
}

int countEvents (const std::vector<EngineEvent>& events, EngineEvent::Kind kind)
{
    return static_cast<int> (
        std::count_if (events.begin(), events.end(), [kind] (const EngineEvent& e) { return e.kind == kind; }));
}
} // namespace

TEST_CASE ("At every sample rate and block size the audio passes through bit-exact and all of it is analysed",
           "[conformance][process]")
{
    const auto sampleRate = GENERATE (22050.0, 44100.0, 48000.0, 88200.0, 96000.0, 192000.0);
    const auto blockSize = GENERATE (1, 32, 64, 250, 512, 1024, 4096);
    CAPTURE (sampleRate, blockSize);

    EarshotProcessor processor;
    test::prepareAsHost (processor, sampleRate, blockSize);

    // Half a second in whole blocks.
    const auto numBlocks = (static_cast<int> (sampleRate / 2.0) + blockSize - 1) / blockSize;
    const auto signal = sineSignal (sampleRate, 2, numBlocks * blockSize);
    test::Played played;
    test::play (
        processor, signal, sampleRate, [&] { return blockSize; }, played);

    CHECK (played.notPassedThrough == 0);
    test::checkRealtimeSafe (played.violations);

    REQUIRE (processor.getEngine().waitUntilIdle());
    const auto& snapshot = processor.getEngine().readSnapshot();
    CHECK (snapshot.sampleRate == sampleRate);
    CHECK (snapshot.numChannels == 2);
    CHECK (snapshot.health.blocksAnalysed == static_cast<uint64_t> (numBlocks));
    CHECK (snapshot.health.samplesAnalysed == static_cast<uint64_t> (signal.getNumSamples()));
    CHECK (snapshot.health.blocksDropped == 0);
    CHECK (snapshot.health.blocksWithInvalidSamples == 0);
    CHECK (snapshot.levels[0].overallPeakDb == test::levelDb (test::peakOf (signal, 0)));
    CHECK (snapshot.levels[1].overallPeakDb == test::levelDb (test::peakOf (signal, 1)));
    CHECK (snapshot.levels[0].overallRmsDb == Approx (test::toDb (leftAmplitude / std::sqrt (2.0))).margin (0.01));
    CHECK (snapshot.levels[1].overallRmsDb == Approx (test::toDb (rightAmplitude / std::sqrt (2.0))).margin (0.01));
    CHECK (snapshot.levels[0].clippedSamples == 0);

    // Frames every hop, whatever the block size.
    const auto hopSize = Spectrum::fftSizeFor (sampleRate) / 4;
    CHECK (snapshot.frame.index == signal.getNumSamples() / hopSize - 1);
    checkFrameHearsTheSine (snapshot.frame, sampleRate, 2);
}

TEST_CASE ("Block sizes that change on every call, empty blocks and a block larger than prepared all pass "
           "through bit-exact, and the frames do not depend on how the audio was cut",
           "[conformance][process]")
{
    const auto sampleRate = GENERATE (44100.0, 96000.0);
    const auto maxBlockSize = GENERATE (256, 1024);
    CAPTURE (sampleRate, maxBlockSize);

    // Three seconds, then one block three and a half times the prepared size.
    const auto largeBlock = maxBlockSize * 7 / 2;
    const auto signal = sineSignal (sampleRate, 2, static_cast<int> (3.0 * sampleRate) + largeBlock);

    EarshotProcessor varying;
    test::prepareAsHost (varying, sampleRate, maxBlockSize);
    juce::Random random (static_cast<juce::int64> (sampleRate) + maxBlockSize);
    test::Played played;
    auto position = 0;
    test::play (
        varying, signal, sampleRate,
        [&]
        {
            auto size = random.nextInt (maxBlockSize + 1); // 0 ..= max
            if (random.nextInt (30) == 0)
                size = 0; // some hosts send empty blocks to flush parameter changes
            if (position + size > signal.getNumSamples() - largeBlock)
                size = position < signal.getNumSamples() - largeBlock ? signal.getNumSamples() - largeBlock - position
                                                                      : largeBlock;
            position += size;
            return size;
        },
        played);

    CHECK (played.notPassedThrough == 0);
    test::checkRealtimeSafe (played.violations);

    // The same audio in fixed blocks: the frames are promised to be identical.
    EarshotProcessor fixed;
    test::prepareAsHost (fixed, sampleRate, maxBlockSize);
    test::Played fixedPlayed;
    test::play (
        fixed, signal, sampleRate, [&] { return maxBlockSize; }, fixedPlayed);

    REQUIRE (varying.getEngine().waitUntilIdle());
    REQUIRE (fixed.getEngine().waitUntilIdle());
    const auto& snapshot = varying.getEngine().readSnapshot();
    const auto& reference = fixed.getEngine().readSnapshot();
    CHECK (snapshot.health.blocksAnalysed == static_cast<uint64_t> (played.blocks));
    CHECK (snapshot.health.samplesAnalysed == static_cast<uint64_t> (signal.getNumSamples()));
    CHECK (snapshot.health.blocksDropped == 0);
    CHECK (snapshot.levels[0].overallPeakDb == test::levelDb (test::peakOf (signal, 0)));
    checkFrameHearsTheSine (snapshot.frame, sampleRate, 2);

    CHECK (snapshot.frame.index == reference.frame.index);
    CHECK (snapshot.frame.endSample == reference.frame.endSample);
    CHECK (snapshot.frame.momentaryLufs == reference.frame.momentaryLufs);
    CHECK (snapshot.frame.rmsDbfs == reference.frame.rmsDbfs);
    CHECK (snapshot.frame.peakDbfs == reference.frame.peakDbfs);
    CHECK (snapshot.frame.truePeakDbtp == reference.frame.truePeakDbtp);
    CHECK (snapshot.frame.spectralCentroidHz == reference.frame.spectralCentroidHz);
    CHECK (snapshot.frame.spectralFlux == reference.frame.spectralFlux);
    CHECK (snapshot.frame.zeroCrossingRate == reference.frame.zeroCrossingRate);
    CHECK (snapshot.frame.mfcc == reference.frame.mfcc);
    CHECK (snapshot.frame.chroma == reference.frame.chroma);
    CHECK (snapshot.frame.stereoCorrelation == reference.frame.stereoCorrelation);
}

TEST_CASE ("Silence, noise beyond full scale, full-scale squares and denormals pass through bit-exact and are "
           "measured as what they are",
           "[conformance][process][badinput]")
{
    constexpr double sampleRate = 48000.0;
    constexpr int blockSize = 512, numSamples = 48000;
    const auto denormal = std::numeric_limits<float>::denorm_min();

    EarshotProcessor processor;
    test::prepareAsHost (processor, sampleRate, blockSize);
    juce::AudioBuffer<float> signal (2, numSamples);

    SECTION ("silence")
    {
        signal.clear();
        test::Played played;
        test::play (
            processor, signal, sampleRate, [] { return blockSize; }, played);
        CHECK (played.notPassedThrough == 0);
        test::checkRealtimeSafe (played.violations);

        REQUIRE (processor.getEngine().waitUntilIdle());
        const auto& snapshot = processor.getEngine().readSnapshot();
        for (int c = 0; c < 2; ++c)
        {
            CHECK (test::levelsOf (snapshot, c).rmsDb == -std::numeric_limits<float>::infinity());
            CHECK (test::levelsOf (snapshot, c).peakDb == -std::numeric_limits<float>::infinity());
            CHECK (test::levelsOf (snapshot, c).overallRmsDb == -std::numeric_limits<float>::infinity());
            CHECK (test::levelsOf (snapshot, c).overallPeakDb == -std::numeric_limits<float>::infinity());
            CHECK (test::levelsOf (snapshot, c).dcOffset == 0.0f);
        }
        checkFrameIsNumbers (snapshot.frame, sampleRate);
        CHECK (snapshot.frame.isSilent);
        CHECK (snapshot.frame.rmsDbfs == FeatureFrame::noLevel);
        CHECK (snapshot.frame.momentaryLufs == FeatureFrame::noLevel);
        CHECK (snapshot.frame.spectralCentroidHz == 0.0f);
    }

    SECTION ("white noise at 1.5 times full scale")
    {
        test::fillNoise (signal, 1.5f, 7);
        test::Played played;
        test::play (
            processor, signal, sampleRate, [] { return blockSize; }, played);
        CHECK (played.notPassedThrough == 0);
        test::checkRealtimeSafe (played.violations);

        REQUIRE (processor.getEngine().waitUntilIdle());
        const auto& snapshot = processor.getEngine().readSnapshot();
        for (int c = 0; c < 2; ++c)
        {
            uint64_t atOrAboveFullScale = 0;
            for (int i = 0; i < numSamples; ++i)
                atOrAboveFullScale += std::abs (signal.getSample (c, i)) >= 1.0f ? 1u : 0u;
            CHECK (test::levelsOf (snapshot, c).clippedSamples == atOrAboveFullScale);
            CHECK (test::levelsOf (snapshot, c).overallPeakDb == test::levelDb (test::peakOf (signal, c)));
            // Uniform noise in [-a, a) has RMS a / sqrt (3).
            CHECK (test::levelsOf (snapshot, c).overallRmsDb ==
                   Approx (test::toDb (1.5 / std::sqrt (3.0))).margin (0.05));
        }
        checkFrameIsNumbers (snapshot.frame, sampleRate);
        CHECK (snapshot.frame.spectralFlatness > 0.5f); // noise-like
    }

    SECTION ("full-scale square wave")
    {
        for (int i = 0; i < numSamples; ++i)
        {
            const auto value = (i / 240) % 2 == 0 ? 1.0f : -1.0f; // 100 Hz
            signal.setSample (0, i, value);
            signal.setSample (1, i, -value);
        }
        test::Played played;
        test::play (
            processor, signal, sampleRate, [] { return blockSize; }, played);
        CHECK (played.notPassedThrough == 0);
        test::checkRealtimeSafe (played.violations);

        REQUIRE (processor.getEngine().waitUntilIdle());
        const auto& snapshot = processor.getEngine().readSnapshot();
        for (int c = 0; c < 2; ++c)
        {
            CHECK (test::levelsOf (snapshot, c).clippedSamples == static_cast<uint64_t> (numSamples));
            CHECK (test::levelsOf (snapshot, c).overallPeakDb == 0.0f);
            CHECK (test::levelsOf (snapshot, c).overallRmsDb == Approx (0.0).margin (1e-5));
            CHECK (test::levelsOf (snapshot, c).rmsDb == Approx (0.0).margin (1e-5));
        }
        checkFrameIsNumbers (snapshot.frame, sampleRate);
        CHECK (snapshot.frame.peakDbfs == 0.0f);
        CHECK (snapshot.frame.rmsDbfs == Approx (0.0).margin (1e-5));
        CHECK (snapshot.frame.truePeakDbtp >= 0.0f); // a square overshoots between samples
        CHECK (snapshot.frame.stereoCorrelation == Approx (-1.0f).margin (1e-4));

        const auto events = drainEvents (processor);
        CHECK (countEvents (events, EngineEvent::Kind::clipping) == 2); // once per channel, when it starts
    }

    SECTION ("denormals, then a sine: the analysis is not stuck on them")
    {
        for (int i = 0; i < numSamples; ++i)
        {
            signal.setSample (0, i, i % 2 == 0 ? denormal : -denormal);
            signal.setSample (1, i, std::numeric_limits<float>::min() * 0.5f); // the largest kind of denormal
        }
        test::Played played;
        test::play (
            processor, signal, sampleRate, [] { return blockSize; }, played);

        const auto sine = sineSignal (sampleRate, 2, numSamples);
        test::play (
            processor, sine, sampleRate, [] { return blockSize; }, played);
        CHECK (played.notPassedThrough == 0);
        test::checkRealtimeSafe (played.violations);

        REQUIRE (processor.getEngine().waitUntilIdle());
        const auto& snapshot = processor.getEngine().readSnapshot();
        CHECK (snapshot.health.blocksWithInvalidSamples == 0);
        CHECK (snapshot.levels[0].rmsDb == Approx (test::toDb (leftAmplitude / std::sqrt (2.0))).margin (0.01));
        CHECK (snapshot.levels[1].rmsDb == Approx (test::toDb (rightAmplitude / std::sqrt (2.0))).margin (0.01));
        CHECK (snapshot.levels[0].overallPeakDb == test::levelDb (test::peakOf (sine, 0)));
        checkFrameHearsTheSine (snapshot.frame, sampleRate, 2);
    }
}

TEST_CASE ("NaN and Inf pass through untouched, are counted, and the analysis recovers from them",
           "[conformance][process][badinput]")
{
    constexpr double sampleRate = 48000.0;
    constexpr int blockSize = 480;
    const auto nan = std::numeric_limits<float>::quiet_NaN();
    const auto inf = std::numeric_limits<float>::infinity();

    const auto trimDb = GENERATE (0.0f, 6.0f);
    CAPTURE (trimDb);

    EarshotProcessor processor;
    auto* trim = processor.getParameters().getParameter (parameters::inputTrimId);
    trim->setValueNotifyingHost (trim->convertTo0to1 (trimDb));
    test::prepareAsHost (processor, sampleRate, blockSize);

    // Half a second of sine, five blocks of bad samples, then a second of sine.
    constexpr int before = 50, bad = 5, after = 100;
    auto signal = sineSignal (sampleRate, 2, (before + bad + after) * blockSize);
    const auto badStart = before * blockSize;
    signal.setSample (0, badStart + 17, nan); // one NaN in an otherwise good block
    for (int i = 0; i < blockSize; ++i)
    {
        signal.setSample (0, badStart + blockSize + i, nan); // a block of NaN
        signal.setSample (1, badStart + blockSize + i, nan);
        signal.setSample (1, badStart + 2 * blockSize + i, inf);
        signal.setSample (0, badStart + 3 * blockSize + i, -inf);
        signal.setSample (i % 2, badStart + 4 * blockSize + i, i % 3 == 0 ? nan : (i % 3 == 1 ? inf : -inf));
    }

    // With trim the plugin applies its gain, and NaN and Inf stay what they are.
    auto expected = signal;
    expected.applyGain (juce::Decibels::decibelsToGain (trimDb));

    test::Played played;
    test::play (
        processor, signal, sampleRate, [] { return blockSize; }, played, &expected);
    CHECK (played.notPassedThrough == 0);
    test::checkRealtimeSafe (played.violations);

    REQUIRE (processor.getEngine().waitUntilIdle());
    const auto& snapshot = processor.getEngine().readSnapshot();
    CHECK (snapshot.health.blocksAnalysed == static_cast<uint64_t> (before + bad + after));
    CHECK (snapshot.health.blocksWithInvalidSamples == static_cast<uint64_t> (bad));

    const auto events = drainEvents (processor);
    CHECK (countEvents (events, EngineEvent::Kind::invalidSamples) == 1); // once when bad input starts

    // The bad samples were analysed as silence; everything since is the sine again.
    const auto gain = juce::Decibels::decibelsToGain (static_cast<double> (trimDb));
    for (int c = 0; c < 2; ++c)
    {
        CAPTURE (c);
        const auto amplitude = (c == 0 ? leftAmplitude : rightAmplitude) * gain;
        CHECK (test::levelsOf (snapshot, c).rmsDb == Approx (test::toDb (amplitude / std::sqrt (2.0))).margin (0.01));
        CHECK (test::levelsOf (snapshot, c).peakDb == Approx (test::toDb (amplitude)).margin (0.01));
        CHECK (test::levelsOf (snapshot, c).overallPeakDb == test::levelDb (finitePeakOf (expected, c)));
        CHECK (std::isfinite (test::levelsOf (snapshot, c).overallRmsDb));
        CHECK (std::isfinite (test::levelsOf (snapshot, c).dcOffset));
    }
    checkFrameIsNumbers (snapshot.frame, sampleRate);
    CHECK_FALSE (snapshot.frame.hadInvalidInput);
    CHECK (snapshot.frame.rmsDbfs == Approx (sineMixRmsDb (2) + test::toDb (gain)).margin (0.1));
    // BS.1770: a 997 Hz sine reads its mean square summed over channels (the K filter is ~0 dB there).
    const auto meanSquares = (leftAmplitude * leftAmplitude + rightAmplitude * rightAmplitude) / 2.0 * gain * gain;
    CHECK (snapshot.frame.momentaryLufs == Approx (10.0 * std::log10 (meanSquares)).margin (0.1));
}

TEST_CASE ("Huge but finite samples pass through, are analysed as silence, and the analysis recovers",
           "[conformance][process][badinput]")
{
    // A broken plugin upstream can send finite values far beyond full scale; their
    // squares overflow a float. Beyond AudioBlock::maxValidSample they count as
    // invalid, like NaN and Inf.
    constexpr double sampleRate = 48000.0;
    constexpr int blockSize = 480, before = 50, huge = 2, after = 100;

    EarshotProcessor processor;
    test::prepareAsHost (processor, sampleRate, blockSize);
    auto signal = sineSignal (sampleRate, 2, (before + huge + after) * blockSize);
    for (int i = before * blockSize; i < (before + huge) * blockSize; ++i)
        for (int c = 0; c < 2; ++c)
            signal.setSample (c, i, (i % 2 == 0 ? 1.0e30f : -3.0e38f));

    test::Played played;
    test::play (
        processor, signal, sampleRate, [] { return blockSize; }, played);
    CHECK (played.notPassedThrough == 0);
    test::checkRealtimeSafe (played.violations);

    REQUIRE (processor.getEngine().waitUntilIdle());
    const auto& snapshot = processor.getEngine().readSnapshot();
    CHECK (snapshot.health.blocksWithInvalidSamples == static_cast<uint64_t> (huge));
    for (int c = 0; c < 2; ++c)
    {
        CAPTURE (c);
        const auto amplitude = c == 0 ? leftAmplitude : rightAmplitude;
        CHECK (test::levelsOf (snapshot, c).rmsDb == Approx (test::toDb (amplitude / std::sqrt (2.0))).margin (0.01));
        float peak = 0.0f; // of the sine outside the burst
        for (int i = 0; i < signal.getNumSamples(); ++i)
            if (std::abs (signal.getSample (c, i)) <= 1.0f)
                peak = std::max (peak, std::abs (signal.getSample (c, i)));
        CHECK (test::levelsOf (snapshot, c).overallPeakDb == test::levelDb (peak));
        // Two blocks of the 152 were analysed as silence.
        const auto expectedRms =
            amplitude / std::sqrt (2.0) * std::sqrt ((before + after) / double (before + huge + after));
        CHECK (test::levelsOf (snapshot, c).overallRmsDb == Approx (test::toDb (expectedRms)).margin (0.01));
    }
    checkFrameHearsTheSine (snapshot.frame, sampleRate, 2);

    // The live summary (refreshed twice a second) averages the frames since: no NaN from the burst.
    const auto& summary = snapshot.summary;
    CHECK (summary.durationSeconds > 1.0);
    CHECK (std::isfinite (summary.spectralCentroidHz.mean));
    CHECK (std::isfinite (summary.spectralFlatness.mean));
    CHECK (std::isfinite (summary.spectralFlux.mean));
    for (const auto coefficient : summary.mfccMean)
        CHECK (std::isfinite (coefficient));
    for (const auto bin : summary.chroma)
        CHECK (std::isfinite (bin));
}

TEST_CASE ("prepareToPlay again without releaseResources, at the same or another rate, starts the analysis afresh",
           "[conformance][process]")
{
    EarshotProcessor processor;
    test::prepareAsHost (processor, 44100.0, 512);

    test::Played played;
    auto loud = sineSignal (44100.0, 2, 22050);
    loud.applyGain (1.6f); // clips
    test::play (
        processor, loud, 44100.0, [] { return 512; }, played);
    REQUIRE (processor.getEngine().waitUntilIdle());

    // Again, the same, without releaseResources(): everything before is forgotten.
    test::prepareAsHost (processor, 44100.0, 512);
    REQUIRE (processor.getEngine().waitUntilIdle());
    {
        const auto& snapshot = processor.getEngine().readSnapshot();
        CHECK (snapshot.health.blocksAnalysed == 0);
        CHECK (snapshot.levels[0].overallPeakDb == -std::numeric_limits<float>::infinity());
        CHECK (snapshot.levels[0].clippedSamples == 0);
    }

    // Another rate and block size, still without releaseResources().
    test::prepareAsHost (processor, 96000.0, 1024);
    const auto quiet = sineSignal (96000.0, 2, 48000);
    test::play (
        processor, quiet, 96000.0, [] { return 1024; }, played);
    CHECK (played.notPassedThrough == 0);
    test::checkRealtimeSafe (played.violations);

    REQUIRE (processor.getEngine().waitUntilIdle());
    const auto& snapshot = processor.getEngine().readSnapshot();
    CHECK (snapshot.sampleRate == 96000.0);
    CHECK (snapshot.health.samplesAnalysed == 48000u);
    CHECK (snapshot.levels[0].overallPeakDb == test::levelDb (test::peakOf (quiet, 0)));
    CHECK (snapshot.levels[0].clippedSamples == 0);
    CHECK (snapshot.frame.index == 48000 / (Spectrum::fftSizeFor (96000.0) / 4) - 1);
    checkFrameHearsTheSine (snapshot.frame, 96000.0, 2);

    std::vector<double> preparedRates;
    for (const auto& event : drainEvents (processor))
        if (event.kind == EngineEvent::Kind::streamPrepared)
            preparedRates.push_back (event.value);
    CHECK (preparedRates == std::vector<double> { 44100.0, 44100.0, 96000.0 });
}

TEST_CASE ("Unusual call orders: processing before prepareToPlay, after releaseResources, and releasing twice",
           "[conformance][process]")
{
    EarshotProcessor processor;
    juce::MidiBuffer midi;
    const auto signal = sineSignal (48000.0, 2, 256);
    auto block = signal;
    test::RealtimeViolations violations;

    test::processCounted (processor, block, midi, violations); // never prepared
    CHECK (test::bitIdentical (block, signal));

    test::prepareAsHost (processor, 48000.0, 256);
    processor.releaseResources();
    processor.releaseResources();
    block = signal;
    test::processCounted (processor, block, midi, violations); // released
    CHECK (test::bitIdentical (block, signal));
    test::checkRealtimeSafe (violations);

    // And it comes back.
    test::prepareAsHost (processor, 48000.0, 256);
    test::Played played;
    test::play (
        processor, sineSignal (48000.0, 2, 24000), 48000.0, [] { return 256; }, played);
    CHECK (played.notPassedThrough == 0);
    REQUIRE (processor.getEngine().waitUntilIdle());
    CHECK (processor.getEngine().readSnapshot().health.samplesAnalysed == 24000u);
}

TEST_CASE ("Bus layouts change between mono and stereo, and unsupported layouts are refused and change nothing",
           "[conformance][process][layout]")
{
    constexpr double sampleRate = 48000.0;
    EarshotProcessor processor;

    for (const auto& set :
         { juce::AudioChannelSet::stereo(), juce::AudioChannelSet::mono(), juce::AudioChannelSet::stereo() })
    {
        const auto channels = set.size();
        CAPTURE (channels);
        REQUIRE (processor.setBusesLayout (test::layoutOf (set)));
        test::prepareAsHost (processor, sampleRate, 512);

        const auto signal = sineSignal (sampleRate, channels, 24000);
        test::Played played;
        test::play (
            processor, signal, sampleRate, [] { return 512; }, played);
        CHECK (played.notPassedThrough == 0);
        test::checkRealtimeSafe (played.violations);

        REQUIRE (processor.getEngine().waitUntilIdle());
        const auto& snapshot = processor.getEngine().readSnapshot();
        CHECK (snapshot.numChannels == channels);
        for (int c = 0; c < channels; ++c)
            CHECK (test::levelsOf (snapshot, c).overallPeakDb == test::levelDb (test::peakOf (signal, c)));
        CHECK (test::levelsOf (snapshot, channels).overallPeakDb == -std::numeric_limits<float>::infinity());
        checkFrameHearsTheSine (snapshot.frame, sampleRate, channels);
    }

    CHECK_FALSE (processor.setBusesLayout (test::layoutOf (juce::AudioChannelSet::create5point1())));
    auto mixed = test::layoutOf (juce::AudioChannelSet::mono());
    mixed.outputBuses.getReference (0) = juce::AudioChannelSet::stereo();
    CHECK_FALSE (processor.setBusesLayout (mixed));
    CHECK (processor.getTotalNumInputChannels() == 2);
    CHECK (processor.getTotalNumOutputChannels() == 2);
}

TEST_CASE ("A host buffer with more channels than the layout gets silence in the extra channels",
           "[conformance][process][layout]")
{
    EarshotProcessor processor;
    REQUIRE (processor.setBusesLayout (test::layoutOf (juce::AudioChannelSet::mono())));
    test::prepareAsHost (processor, 48000.0, 256);

    auto block = sineSignal (48000.0, 2, 256);
    const auto original = block;
    juce::MidiBuffer midi;
    test::RealtimeViolations violations;
    test::processCounted (processor, block, midi, violations);
    test::checkRealtimeSafe (violations);

    CHECK (std::memcmp (block.getReadPointer (0), original.getReadPointer (0), 256 * sizeof (float)) == 0);
    CHECK (block.findMinMax (1, 0, 256) == juce::Range<float> (0.0f, 0.0f));
}

TEST_CASE ("A layout change the host forgets to prepare for still passes audio through", "[conformance][process]")
{
    EarshotProcessor processor;
    REQUIRE (processor.setBusesLayout (test::layoutOf (juce::AudioChannelSet::mono())));
    test::prepareAsHost (processor, 48000.0, 256);
    REQUIRE (processor.setBusesLayout (test::layoutOf (juce::AudioChannelSet::stereo())));

    test::Played played;
    test::play (
        processor, sineSignal (48000.0, 2, 24000), 48000.0, [] { return 256; }, played);
    CHECK (played.notPassedThrough == 0);
    test::checkRealtimeSafe (played.violations);
    REQUIRE (processor.getEngine().waitUntilIdle());
    CHECK (processor.getEngine().readSnapshot().health.samplesAnalysed == 24000u);
}

TEST_CASE ("The host's bypass passes audio through bit-exact and keeps analysing it", "[conformance][process]")
{
    EarshotProcessor processor;
    auto* trim = processor.getParameters().getParameter (parameters::inputTrimId);
    trim->setValueNotifyingHost (trim->convertTo0to1 (-12.0f)); // bypass ignores the trim
    test::prepareAsHost (processor, 44100.0, 441);

    const auto signal = sineSignal (44100.0, 2, 44100);
    juce::AudioBuffer<float> block (2, 441);
    juce::MidiBuffer midi;
    test::RealtimeViolations violations;
    int notPassedThrough = 0;
    for (int position = 0; position < signal.getNumSamples(); position += 441)
    {
        for (int c = 0; c < 2; ++c)
            block.copyFrom (c, 0, signal, c, position, 441);
        test::processBypassedCounted (processor, block, midi, violations);
        notPassedThrough += test::bitIdentical (block, signal, position) ? 0 : 1;
    }
    CHECK (notPassedThrough == 0);
    test::checkRealtimeSafe (violations);

    REQUIRE (processor.getEngine().waitUntilIdle());
    const auto& snapshot = processor.getEngine().readSnapshot();
    CHECK (snapshot.health.samplesAnalysed == 44100u);
    CHECK (snapshot.levels[0].overallPeakDb == test::levelDb (test::peakOf (signal, 0)));
}
