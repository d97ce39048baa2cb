#include "Analysis/AnalysisEngine.h"
#include "Features/Descriptors.h"
#include "Features/FeatureExtractor.h"
#include "Features/Level.h"
#include "Features/OfflineAnalyzer.h"
#include "Support/TestSignals.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <limits>
#include <thread>

using namespace earshot;

namespace
{
/** A few seconds of something music-like: a kick on every beat at 120 BPM, a
    noise hat on the off-beats, and an A minor triad, panned apart. */
juce::AudioBuffer<float> musicLike (double sampleRate, int numChannels, double seconds)
{
    const auto length = static_cast<int> (seconds * sampleRate);
    juce::AudioBuffer<float> audio (numChannels, length);
    audio.clear();
    juce::Random random (7);
    const auto beat = static_cast<int> (sampleRate * 0.5);
    const double notes[] = { 220.0, 261.63, 329.63 };
    for (int i = 0; i < length; ++i)
    {
        const auto t = i / sampleRate;
        const auto sinceBeat = (i % beat) / sampleRate;
        const auto sinceOffbeat = ((i + beat / 2) % beat) / sampleRate;
        const auto kick = 0.6 * std::sin (2.0 * M_PI * 55.0 * sinceBeat) * std::exp (-sinceBeat * 20.0);
        const auto hat = 0.15 * (2.0 * random.nextDouble() - 1.0) * std::exp (-sinceOffbeat * 80.0);
        double chord = 0.0;
        for (auto frequency : notes)
            chord += 0.08 * std::sin (2.0 * M_PI * frequency * t);
        for (int c = 0; c < numChannels; ++c)
        {
            const auto pan = numChannels > 1 ? static_cast<double> (c) / (numChannels - 1) : 0.5;
            audio.setSample (c, i, static_cast<float> (kick + (1.0 - pan) * hat + pan * chord * 1.5));
        }
    }
    return audio;
}

bool sameFrame (const FeatureFrame& a, const FeatureFrame& b)
{
    auto same = [] (float x, float y) { return std::memcmp (&x, &y, sizeof (float)) == 0; };
    bool equal = a.index == b.index && a.endSample == b.endSample && a.isOnset == b.isOnset &&
                 a.isSilent == b.isSilent && same (a.momentaryLufs, b.momentaryLufs) &&
                 same (a.shortTermLufs, b.shortTermLufs) && same (a.rmsDbfs, b.rmsDbfs) &&
                 same (a.peakDbfs, b.peakDbfs) && same (a.truePeakDbtp, b.truePeakDbtp) &&
                 same (a.spectralCentroidHz, b.spectralCentroidHz) && same (a.spectralSpreadHz, b.spectralSpreadHz) &&
                 same (a.spectralRolloffHz, b.spectralRolloffHz) && same (a.spectralFlatness, b.spectralFlatness) &&
                 same (a.spectralFlux, b.spectralFlux) && same (a.zeroCrossingRate, b.zeroCrossingRate) &&
                 same (a.onsetStrength, b.onsetStrength) && same (a.stereoCorrelation, b.stereoCorrelation) &&
                 same (a.stereoWidth, b.stereoWidth) && same (a.stereoBalance, b.stereoBalance);
    for (size_t i = 0; i < a.mfcc.size(); ++i)
        equal = equal && same (a.mfcc[i], b.mfcc[i]);
    for (size_t i = 0; i < a.chroma.size(); ++i)
        equal = equal && same (a.chroma[i], b.chroma[i]);
    return equal;
}

/** Runs `audio` through the live pipeline (tap, ring, analysis thread) in blocks
    of `blockSize`, waiting for room rather than dropping, as a patient host would. */
struct LiveRun
{
    std::vector<FeatureFrame> frames;
    TrackSummary summary;
    uint64_t dropped = 0;
};

LiveRun runLive (const juce::AudioBuffer<float>& audio, double sampleRate, int blockSize)
{
    LiveRun run;
    run.frames.reserve (static_cast<size_t> (audio.getNumSamples() / 256 + 16));
    AudioTap tap;
    AnalysisEngine engine (tap);
    engine.addStage (std::make_unique<Level>());
    auto extractor = std::make_unique<FeatureExtractor>();
    auto* features = extractor.get();
    features->setFrameListener ([&run] (const FeatureFrame& frame) { run.frames.push_back (frame); });
    engine.addStage (std::move (extractor));
    engine.prepare ({ sampleRate, blockSize, audio.getNumChannels() });

    const float* pointers[Snapshot::maxChannels] {};
    for (int position = 0; position < audio.getNumSamples(); position += blockSize)
    {
        const auto count = std::min (blockSize, audio.getNumSamples() - position);
        for (int c = 0; c < audio.getNumChannels(); ++c)
            pointers[c] = audio.getReadPointer (c) + position;
        while (tap.getFreeSamples() < count)
            std::this_thread::yield();
        tap.push (pointers, audio.getNumChannels(), count);
    }
    REQUIRE (engine.waitUntilIdle (120000));
    const auto snapshot = engine.readSnapshot();
    engine.release(); // the analysis thread has stopped: the extractor may be read here
    run.summary = features->summariseWhole (snapshot, features->wholeTempo());
    run.dropped = snapshot.health.blocksDropped;
    return run;
}

void checkSameSummary (const TrackSummary& a, const TrackSummary& b)
{
    const auto va = a.toVector();
    const auto vb = b.toVector();
    REQUIRE (va.size() == vb.size());
    for (size_t i = 0; i < va.size(); ++i)
    {
        INFO (TrackSummary::vectorNames()[i]);
        CHECK (std::memcmp (&va[i], &vb[i], sizeof (float)) == 0);
    }
    CHECK (a.samplePeakDbfs == b.samplePeakDbfs);
    CHECK (a.clippedSamples == b.clippedSamples);
}
} // namespace

TEST_CASE ("Live equals offline: the same audio in any block size gives identical frames and summaries",
           "[features][liveoffline]")
{
    constexpr double rate = 44100.0;
    const auto audio = musicLike (rate, 2, 6.0);

    OfflineOptions options;
    options.keepFrames = true;
    const auto offline = OfflineAnalyzer::analyse (audio, rate, options);
    REQUIRE (offline.frames.size() == static_cast<size_t> (audio.getNumSamples() / 512));

    for (const auto blockSize : { 1, 32, 512, 4096 })
    {
        CAPTURE (blockSize);
        const auto live = runLive (audio, rate, blockSize);
        CHECK (live.dropped == 0);
        REQUIRE (live.frames.size() == offline.frames.size());
        size_t different = 0;
        for (size_t i = 0; i < live.frames.size(); ++i)
            different += sameFrame (live.frames[i], offline.frames[i]) ? 0u : 1u;
        CHECK (different == 0);
        checkSameSummary (live.summary, offline.summary);
    }
}

TEST_CASE ("Offline analysis does not depend on its read block size", "[features][liveoffline]")
{
    const auto audio = musicLike (48000.0, 2, 4.0);
    OfflineOptions small, large;
    small.keepFrames = large.keepFrames = true;
    small.blockSize = 333;
    large.blockSize = 65536;
    const auto a = OfflineAnalyzer::analyse (audio, 48000.0, small);
    const auto b = OfflineAnalyzer::analyse (audio, 48000.0, large);
    REQUIRE (a.frames.size() == b.frames.size());
    for (size_t i = 0; i < a.frames.size(); ++i)
        REQUIRE (sameFrame (a.frames[i], b.frames[i]));
    checkSameSummary (a.summary, b.summary);
}

TEST_CASE ("Every sample rate from 8 kHz to 192 kHz, and mono to 6 channels, gives sane features",
           "[features][formats]")
{
    const auto rate = GENERATE (8000.0, 22050.0, 44100.0, 48000.0, 96000.0, 192000.0);
    const auto channels = GENERATE (1, 2, 6);
    CAPTURE (rate, channels);

    // A 1 kHz sine, peak 0.5, on every channel: the downmix is the same sine.
    juce::AudioBuffer<float> audio (channels, static_cast<int> (rate * 3.0));
    test::fillSine (audio, rate, 1000.0, 0.5f);
    const auto result = OfflineAnalyzer::analyse (audio, rate, {});
    const auto& s = result.summary;

    CHECK (s.durationSeconds == Approx (3.0).margin (1.0 / rate));
    CHECK (s.samplePeakDbfs == Approx (test::toDb (0.5)).margin (0.01));
    CHECK (s.rmsDbfs == Approx (test::toDb (0.5 / std::sqrt (2.0))).margin (0.02));
    CHECK (s.spectralCentroidHz.mean == Approx (1000.0).epsilon (0.03));
    CHECK (std::isfinite (s.integratedLufs));
    // 1 kHz lies 31 cents below B5 (987.8 Hz is B, pitch class 11; 1046.5 Hz is C).
    CHECK (std::max_element (s.chroma.begin(), s.chroma.end()) - s.chroma.begin() == 11);
    for (auto value : s.toVector())
        REQUIRE (std::isfinite (value));
}

TEST_CASE ("White noise is flatter and brighter than a tone", "[features][spectrum]")
{
    juce::AudioBuffer<float> noise (1, 44100 * 2), tone (1, 44100 * 2);
    test::fillNoise (noise, 0.5f, 5);
    test::fillSine (tone, 44100.0, 440.0, 0.5f);
    const auto n = OfflineAnalyzer::analyse (noise, 44100.0, {}).summary;
    const auto t = OfflineAnalyzer::analyse (tone, 44100.0, {}).summary;
    CHECK (n.spectralFlatness.mean > 0.5f);
    CHECK (t.spectralFlatness.mean < 0.01f);
    // White noise: the centroid sits near half of Nyquist, the zero-crossing rate near 0.5.
    CHECK (n.spectralCentroidHz.mean == Approx (11025.0).epsilon (0.05));
    CHECK (n.zeroCrossingRate.mean == Approx (0.5).margin (0.02));
    CHECK (t.zeroCrossingRate.mean == Approx (2.0 * 440.0 / 44100.0).epsilon (0.02));
    CHECK (n.brightness > t.brightness);
}

TEST_CASE ("Silence is found where it is, and only when it lasts", "[features][silence]")
{
    // 3 s tone, 4 s digital silence, 3 s tone, 1 s silence (shorter than the 2 s minimum), 2 s tone.
    constexpr double rate = 48000.0;
    juce::AudioBuffer<float> audio (2, static_cast<int> (rate * 13.0));
    test::fillSine (audio, rate, 440.0, 0.3f);
    audio.clear (static_cast<int> (rate * 3.0), static_cast<int> (rate * 4.0));
    audio.clear (static_cast<int> (rate * 10.0), static_cast<int> (rate * 1.0));

    const auto result = OfflineAnalyzer::analyse (audio, rate, {});
    REQUIRE (result.silentRegions.size() == 1);
    // The window of the first silent frame must lie wholly in the silence: within one window (46 ms).
    CHECK (result.silentRegions[0].startSeconds == Approx (3.0).margin (0.05));
    CHECK (result.silentRegions[0].endSeconds == Approx (7.0).margin (0.05));
    CHECK (result.summary.silentSeconds == Approx (4.0).margin (0.1));

    int started = 0, ended = 0;
    for (const auto& event : result.events)
    {
        started += event.kind == EngineEvent::Kind::silenceStarted ? 1 : 0;
        ended += event.kind == EngineEvent::Kind::silenceEnded ? 1 : 0;
    }
    CHECK (started == 1);
    CHECK (ended == 1);
}

TEST_CASE ("NaN and Inf input flags its frames and leaves later frames finite and correct", "[features][badinput]")
{
    constexpr double rate = 44100.0;
    juce::AudioBuffer<float> audio (2, static_cast<int> (rate * 6.0));
    test::fillSine (audio, rate, 1000.0, 0.5f);
    juce::AudioBuffer<float> clean (audio);
    for (int i = 44100; i < 44100 + 2048; i += 3)
    {
        audio.setSample (0, i, std::numeric_limits<float>::quiet_NaN());
        audio.setSample (1, i + 1, std::numeric_limits<float>::infinity());
    }

    OfflineOptions options;
    options.keepFrames = true;
    options.blockSize = 512; // flags are kept per block: small blocks keep them to a few frames
    const auto bad = OfflineAnalyzer::analyse (audio, rate, options);
    const auto good = OfflineAnalyzer::analyse (clean, rate, options);

    int flagged = 0;
    for (const auto& frame : bad.frames)
    {
        flagged += frame.hadInvalidInput ? 1 : 0;
        REQUIRE (std::isfinite (frame.spectralCentroidHz));
        REQUIRE (std::isfinite (frame.spectralFlux));
        for (auto value : frame.mfcc)
            REQUIRE (std::isfinite (value));
    }
    CHECK (flagged >= 4);
    CHECK (flagged <= 6);

    // Four seconds later, the loudness windows hold only clean audio again.
    const auto& late = bad.frames[static_cast<size_t> (5.0 * rate / 512)];
    const auto& reference = good.frames[static_cast<size_t> (5.0 * rate / 512)];
    CHECK (late.shortTermLufs == Approx (reference.shortTermLufs).margin (0.01));
    CHECK (late.spectralCentroidHz == Approx (reference.spectralCentroidHz).margin (0.5));
    CHECK (std::isfinite (bad.summary.integratedLufs));
}

TEST_CASE ("Descriptors follow their documented formulas", "[features][descriptors]")
{
    TrackSummary s;
    s.integratedLufs = -8.0f; // loud: loudness term 1
    s.onsetRate = 3.0f;       // half of 6/s
    s.tempoBpm = 120.0f;
    s.tempoConfidence = 0.8f;
    s.spectralCentroidHz.mean = 2000.0f; // two octaves above 500 Hz
    s.loudnessRangeLu = 5.0f;
    Descriptors::compute (s);
    CHECK (s.energy == Approx (0.6 + 0.4 * 0.5));
    CHECK (s.danceability == Approx (0.8));
    CHECK (s.brightness == Approx (0.5));
    CHECK (s.dynamics == Approx (0.25));

    s.tempoBpm = 240.0f; // one octave away: exp(-1 / 0.32)
    Descriptors::compute (s);
    CHECK (s.danceability == Approx (0.8 * std::exp (-1.0 / 0.32)));
}

TEST_CASE ("A change of sound is found as a section boundary, and steady sound gives none", "[features][segments]")
{
    // 20 s of a low chord, then 20 s of bright noise: one boundary, at 20 s.
    constexpr double rate = 44100.0;
    juce::AudioBuffer<float> audio (2, static_cast<int> (rate * 40.0));
    juce::AudioBuffer<float> second (2, static_cast<int> (rate * 20.0));
    for (int i = 0; i < static_cast<int> (rate * 20.0); ++i)
    {
        const auto t = i / rate;
        const auto chord = 0.2 * (std::sin (2.0 * M_PI * 110.0 * t) + std::sin (2.0 * M_PI * 138.6 * t) +
                                  std::sin (2.0 * M_PI * 164.8 * t));
        for (int c = 0; c < 2; ++c)
            audio.setSample (c, i, static_cast<float> (chord));
    }
    test::fillNoise (second, 0.3f, 9);
    for (int c = 0; c < 2; ++c)
        audio.copyFrom (c, static_cast<int> (rate * 20.0), second, c, 0, second.getNumSamples());

    const auto changing = OfflineAnalyzer::analyse (audio, rate, {});
    REQUIRE (changing.segmentBoundaries.size() == 1);
    CHECK (changing.segmentBoundaries[0] == Approx (20.0).margin (0.5));

    juce::AudioBuffer<float> steady (2, static_cast<int> (rate * 40.0));
    test::fillNoise (steady, 0.3f, 10);
    CHECK (OfflineAnalyzer::analyse (steady, rate, {}).segmentBoundaries.empty());
}

namespace
{
bool sameFloat (float a, float b)
{
    return std::memcmp (&a, &b, sizeof (float)) == 0;
}

/** The frame fields of `family`, for comparing a family alone with all of them. */
std::vector<float> frameFieldsOf (FeatureFamily family, const FeatureFrame& f)
{
    switch (family)
    {
        case FeatureFamily::levels:
            return { f.rmsDbfs, f.peakDbfs };
        case FeatureFamily::loudness:
            return { f.momentaryLufs, f.shortTermLufs, f.truePeakDbtp };
        case FeatureFamily::spectrum:
            return { f.spectralCentroidHz, f.spectralSpreadHz, f.spectralRolloffHz,
                     f.spectralFlatness,   f.spectralFlux,     f.zeroCrossingRate };
        case FeatureFamily::harmony:
        {
            std::vector<float> values (f.mfcc.begin(), f.mfcc.end());
            values.insert (values.end(), f.chroma.begin(), f.chroma.end());
            return values;
        }
        case FeatureFamily::rhythm:
            return { f.onsetStrength, f.isOnset ? 1.0f : 0.0f };
        case FeatureFamily::stereo:
            return { f.stereoCorrelation, f.stereoWidth, f.stereoBalance };
        case FeatureFamily::structure:
            return { f.isSilent ? 1.0f : 0.0f };
        case FeatureFamily::descriptors:
            return {};
    }
    return {};
}

/** The summary fields of `family` (beyond those of toVector()). */
std::vector<double> summaryExtrasOf (FeatureFamily family, const OfflineAnalysis& a)
{
    const auto& s = a.summary;
    switch (family)
    {
        case FeatureFamily::levels:
        {
            std::vector<double> values { s.samplePeakDbfs, s.rmsDbfs, s.dcOffset,
                                         static_cast<double> (s.clippedSamples) };
            for (const auto& channel : a.levelStatistics)
                values.insert (values.end(),
                               { channel.minSample, channel.maxSample, channel.rmsPeakDb, channel.rmsTroughDb });
            return values;
        }
        case FeatureFamily::rhythm:
        {
            auto values = a.onsetTimes;
            values.insert (values.end(), a.beatTimes.begin(), a.beatTimes.end());
            return values;
        }
        case FeatureFamily::structure:
        {
            auto values = a.segmentBoundaries;
            for (const auto& region : a.silentRegions)
                values.insert (values.end(), { region.startSeconds, region.endSeconds });
            values.push_back (s.silentSeconds);
            return values;
        }
        case FeatureFamily::stereo:
            return { s.stereoBalance };
        case FeatureFamily::loudness:
        case FeatureFamily::spectrum:
        case FeatureFamily::harmony:
        case FeatureFamily::descriptors:
            return {};
    }
    return {};
}
} // namespace

TEST_CASE ("Each feature family computed alone gives bit for bit what it gives with all families",
           "[features][families]")
{
    constexpr double rate = 44100.0;
    // Music with a silence in it, so that silences and the silent-frame gating are exercised.
    auto audio = musicLike (rate, 2, 12.0);
    audio.clear (static_cast<int> (rate * 5.0), static_cast<int> (rate * 3.0));

    OfflineOptions options;
    options.keepFrames = true;
    options.settings.minSilenceSeconds = 1.0;
    const auto all = OfflineAnalyzer::analyse (audio, rate, options);
    REQUIRE (all.silentRegions.size() == 1);
    REQUIRE (all.summary.tempoBpm > 0.0f);

    for (const auto family : FeatureFamilies::everyFamily())
    {
        CAPTURE (std::string (FeatureFamilies::nameOf (family)));
        options.settings.families = FeatureFamilies::none().with (family);
        const auto alone = OfflineAnalyzer::analyse (audio, rate, options);
        CHECK (alone.families == options.settings.families.withDependencies());

        REQUIRE (alone.frames.size() == all.frames.size());
        size_t different = 0;
        for (size_t i = 0; i < all.frames.size(); ++i)
        {
            const auto a = frameFieldsOf (family, alone.frames[i]);
            const auto b = frameFieldsOf (family, all.frames[i]);
            for (size_t k = 0; k < a.size(); ++k)
                different += sameFloat (a[k], b[k]) ? 0u : 1u;
        }
        CHECK (different == 0);

        const auto va = alone.summary.toVector();
        const auto vb = all.summary.toVector();
        const auto& families = TrackSummary::vectorFamilies();
        for (size_t i = 0; i < va.size(); ++i)
        {
            if (! alone.families.contains (families[i]))
                continue;
            INFO (TrackSummary::vectorNames()[i]);
            CHECK (sameFloat (va[i], vb[i]));
        }
        CHECK (summaryExtrasOf (family, alone) == summaryExtrasOf (family, all));
    }
}

TEST_CASE ("A family left out is not computed: its fields keep their defaults", "[features][families]")
{
    constexpr double rate = 48000.0;
    juce::AudioBuffer<float> audio (2, static_cast<int> (rate * 5.0));
    test::fillSine (audio, rate, 1000.0, 0.5f);

    OfflineOptions options;
    options.keepFrames = true;
    options.settings.families = FeatureFamilies::none().with (FeatureFamily::levels);
    const auto levels = OfflineAnalyzer::analyse (audio, rate, options);
    CHECK (levels.summary.samplePeakDbfs == Approx (test::toDb (0.5)).margin (0.01));
    CHECK (levels.summary.integratedLufs == FeatureFrame::noLevel);
    CHECK (levels.summary.truePeakDbtp == FeatureFrame::noLevel);
    CHECK (levels.summary.spectralCentroidHz.mean == 0.0f);
    CHECK (levels.summary.chroma == decltype (levels.summary.chroma) {});
    CHECK (levels.summary.tempoBpm == 0.0f);
    CHECK (levels.summary.stereoCorrelation == 0.0f);
    CHECK (levels.summary.energy == 0.0f);
    CHECK (levels.onsetTimes.empty());
    REQUIRE (! levels.frames.empty());
    // A hop (512 samples) holds 10.7 periods: within 0.1 dB of the sine's RMS.
    CHECK (levels.frames[100].rmsDbfs == Approx (test::toDb (0.5 / std::sqrt (2.0))).margin (0.1));
    CHECK (levels.frames[100].momentaryLufs == FeatureFrame::noLevel);
    CHECK (levels.frames[100].spectralCentroidHz == 0.0f);

    options.settings.families = FeatureFamilies::none().with (FeatureFamily::loudness);
    const auto loudness = OfflineAnalyzer::analyse (audio, rate, options);
    // EBU Tech 3341: a stereo 1 kHz sine of peak 0.5 reads -6.02 LUFS; levels are not measured.
    CHECK (loudness.summary.integratedLufs == Approx (-6.02).margin (0.05));
    CHECK (loudness.summary.samplePeakDbfs == FeatureFrame::noLevel);
    CHECK (loudness.levelStatistics.empty());
    CHECK (loudness.levels.levels[0].overallPeakDb == FeatureFrame::noLevel);
    CHECK (loudness.frames[100].rmsDbfs == FeatureFrame::noLevel);
}

TEST_CASE ("Descriptors pull in the families they are computed from, and structure pulls in harmony",
           "[features][families]")
{
    using F = FeatureFamily;
    const auto descriptors = FeatureFamilies::none().with (F::descriptors).withDependencies();
    CHECK (descriptors ==
           FeatureFamilies::none().with (F::descriptors).with (F::loudness).with (F::rhythm).with (F::spectrum));
    CHECK (FeatureFamilies::none().with (F::structure).withDependencies() ==
           FeatureFamilies::none().with (F::structure).with (F::harmony));
    CHECK (FeatureFamilies::all().withDependencies() == FeatureFamilies::all());

    for (const auto family : FeatureFamilies::everyFamily())
        CHECK (FeatureFamilies::fromName (FeatureFamilies::nameOf (family)) == family);
    CHECK_FALSE (FeatureFamilies::fromName ("Levels").has_value());
    CHECK (FeatureFamilies::validNames() ==
           "levels, loudness, spectrum, harmony, rhythm, stereo, descriptors, structure");
    CHECK (TrackSummary::vectorFamilies().size() == TrackSummary::vectorNames().size());

    const auto audio = musicLike (44100.0, 2, 8.0);
    OfflineOptions options;
    const auto all = OfflineAnalyzer::analyse (audio, 44100.0, options);
    options.settings.families = FeatureFamilies::none().with (F::descriptors);
    const auto alone = OfflineAnalyzer::analyse (audio, 44100.0, options);
    CHECK (alone.summary.energy > 0.0f);
    CHECK (sameFloat (alone.summary.energy, all.summary.energy));
    CHECK (sameFloat (alone.summary.danceability, all.summary.danceability));
    CHECK (sameFloat (alone.summary.brightness, all.summary.brightness));
    CHECK (sameFloat (alone.summary.dynamics, all.summary.dynamics));
    CHECK (alone.summary.stereoCorrelation == 0.0f); // stereo is not a dependency
}

TEST_CASE ("Level statistics: sample range and the loudest and quietest 50 ms, in any block size", "[features][levels]")
{
    // 1 kHz at 48 kHz: 48 samples a period, so the peaks are sampled exactly and a
    // 50 ms window (2400 samples) holds whole periods. 1 s at peak 0.5, then 1 s at 0.25.
    constexpr double rate = 48000.0;
    juce::AudioBuffer<float> audio (2, static_cast<int> (rate * 2.0));
    test::fillSine (audio, rate, 1000.0, 0.5f);
    for (int c = 0; c < 2; ++c)
        audio.applyGain (c, static_cast<int> (rate), static_cast<int> (rate), 0.5f);

    for (const auto blockSize : { 1, 100, 4096 })
    {
        CAPTURE (blockSize);
        OfflineOptions options;
        options.blockSize = blockSize;
        options.settings.families = FeatureFamilies::none().with (FeatureFamily::levels);
        const auto result = OfflineAnalyzer::analyse (audio, rate, options);
        REQUIRE (result.levelStatistics.size() == 2);
        for (const auto& channel : result.levelStatistics)
        {
            CHECK (channel.maxSample == 0.5f);
            CHECK (channel.minSample == -0.5f);
            CHECK (channel.rmsPeakDb == Approx (test::toDb (0.5 / std::sqrt (2.0))).margin (0.001));
            CHECK (channel.rmsTroughDb == Approx (test::toDb (0.25 / std::sqrt (2.0))).margin (0.001));
        }
    }
}

TEST_CASE ("With a history limit, a long stream keeps the last stretch of onsets and beats, and its tempo",
           "[features][rhythm][soak]")
{
    // The plugin's setting (10 minutes) scaled down: 30 s of a 200 s stream.
    constexpr double sampleRate = 44100.0, seconds = 200.0, history = 30.0;
    const auto audio = musicLike (sampleRate, 2, seconds);
    OfflineOptions whole, limited;
    limited.settings.historySeconds = history;
    const auto full = OfflineAnalyzer::analyse (audio, sampleRate, whole);
    const auto recent = OfflineAnalyzer::analyse (audio, sampleRate, limited);

    // The kept onsets are exactly the last 30 s of all of them (to a frame).
    const auto frame = 512.0 / sampleRate;
    REQUIRE (recent.onsetTimes.size() > 50);
    REQUIRE (recent.onsetTimes.size() < full.onsetTimes.size() / 4);
    const auto dropped = full.onsetTimes.size() - recent.onsetTimes.size();
    CHECK (std::equal (recent.onsetTimes.begin(), recent.onsetTimes.end(),
                       full.onsetTimes.begin() + static_cast<std::ptrdiff_t> (dropped)));
    CHECK (recent.onsetTimes.front() >= seconds - history - 2.0 * frame);
    CHECK (full.onsetTimes[dropped - 1] < seconds - history);

    // Tempo and beats from the last 30 s: the whole stream's tempo (the signal is
    // steady), beats only there, at that tempo.
    CHECK (recent.summary.tempoBpm == Approx (full.summary.tempoBpm).epsilon (0.01));
    REQUIRE_FALSE (recent.beatTimes.empty());
    CHECK (recent.beatTimes.front() >= seconds - history - 1.0);
    const auto expectedBeats = static_cast<int> (history * full.summary.tempoBpm / 60.0);
    CHECK (std::abs (static_cast<int> (recent.beatTimes.size()) - expectedBeats) <= 3);

    // The running means do not depend on the limit.
    CHECK (recent.summary.mfccMean == full.summary.mfccMean);
    CHECK (recent.summary.integratedLufs == full.summary.integratedLufs);
}
