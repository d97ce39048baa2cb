#include "Features/Loudness.h"
#include "Support/AllocationGuard.h"
#include "Support/TestSignals.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

using namespace earshot;

namespace
{
constexpr double rate48k = 48000.0;
constexpr float minusInf = -std::numeric_limits<float>::infinity();

struct Segment
{
    double dbfs; // peak level of the sine on every channel
    double seconds;
};

/** Feeds consecutive segments of one endless 1 kHz sine (EBU Tech 3341/3342 style)
    to `meter`, in blocks of 4096 samples. */
void feedSineSegments (Loudness& meter, int numChannels, const std::vector<Segment>& segments,
                       double sampleRate = rate48k, double frequency = 1000.0)
{
    juce::AudioBuffer<float> block (numChannels, 4096);
    int64_t position = 0;
    for (const auto& segment : segments)
    {
        const auto amplitude = static_cast<float> (std::pow (10.0, segment.dbfs / 20.0));
        const auto end = position + std::llround (segment.seconds * sampleRate);
        while (position < end)
        {
            const auto length = static_cast<int> (std::min<int64_t> (4096, end - position));
            block.setSize (numChannels, length, false, false, true);
            test::fillSine (block, sampleRate, frequency, amplitude, position);
            meter.process (block.getArrayOfReadPointers(), length);
            position += length;
        }
    }
}

/** A stereo sine of `amplitude` at `frequency`, starting at `phase` radians. */
std::vector<float> phasedSine (double sampleRate, double frequency, double phase, float amplitude, int length)
{
    const auto omega = juce::MathConstants<double>::twoPi * frequency / sampleRate;
    std::vector<float> samples (static_cast<size_t> (length));
    for (size_t i = 0; i < samples.size(); ++i)
        samples[i] = amplitude * static_cast<float> (std::sin (omega * static_cast<double> (i) + phase));
    return samples;
}

void feedStereo (Loudness& meter, const std::vector<float>& left, const std::vector<float>& right)
{
    const float* channels[] = { left.data(), right.data() };
    meter.process (channels, static_cast<int> (left.size()));
}

void checkReadsNothing (const Loudness& meter)
{
    CHECK (meter.momentaryLufs() == minusInf);
    CHECK (meter.shortTermLufs() == minusInf);
    CHECK (meter.integratedLufs() == minusInf);
    CHECK (meter.truePeakDbtp() == minusInf);
    CHECK (meter.samplePeakDbfs() == minusInf);
    CHECK (meter.loudnessRangeLu() == 0.0f);
}

/** A sequence of stereo 1 kHz sine segments and the reading it should give. */
struct SineCase
{
    std::vector<Segment> segments;
    double expected;
};
} // namespace

TEST_CASE ("EBU Tech 3341 cases 1-2: a steady stereo 1 kHz sine reads its peak level in LUFS", "[features][loudness]")
{
    const auto level = GENERATE (-23.0, -33.0);
    Loudness meter;
    meter.prepare (rate48k, 2);
    feedSineSegments (meter, 2, { { level, 20.0 } });

    // EBU Tech 3341 allows +-0.1; nothing is quantised any more, so expect closer.
    CHECK (meter.momentaryLufs() == Approx (level).margin (0.02));
    CHECK (meter.shortTermLufs() == Approx (level).margin (0.02));
    CHECK (meter.integratedLufs() == Approx (level).margin (0.02));
}

TEST_CASE ("EBU Tech 3341 cases 3-5: the gates keep quiet passages out of integrated loudness", "[features][loudness]")
{
    // Tech 3341 expects -23.0 +-0.1. `expected` is the exact gated value of these
    // signals, from libebur128 keeping every block: case 5's louder middle lasts 20.1 s.
    const auto sequence = GENERATE (values<SineCase> ({
        { { { -36.0, 10.0 }, { -23.0, 60.0 }, { -36.0, 10.0 } }, -23.014 },
        { { { -72.0, 10.0 }, { -36.0, 10.0 }, { -23.0, 60.0 }, { -36.0, 10.0 }, { -72.0, 10.0 } }, -23.014 },
        { { { -26.0, 20.0 }, { -20.0, 20.1 }, { -26.0, 20.0 } }, -22.979 },
    }));
    CAPTURE (sequence.segments.size(), sequence.segments.front().dbfs);
    Loudness meter;
    meter.prepare (rate48k, 2);
    feedSineSegments (meter, 2, sequence.segments);
    CHECK (meter.integratedLufs() == Approx (-23.0).margin (0.1));
    CHECK (meter.integratedLufs() == Approx (sequence.expected).margin (0.002));
}

TEST_CASE ("EBU Tech 3342 cases 1-4: loudness range of stepped stereo sines, 20 s a step", "[features][loudness]")
{
    const auto range = GENERATE (values<SineCase> ({
        { { { -20.0, 20.0 }, { -30.0, 20.0 } }, 10.0 },
        { { { -20.0, 20.0 }, { -15.0, 20.0 } }, 5.0 },
        { { { -40.0, 20.0 }, { -20.0, 20.0 } }, 20.0 },
        { { { -50.0, 20.0 }, { -35.0, 20.0 }, { -20.0, 20.0 }, { -35.0, 20.0 }, { -50.0, 20.0 } }, 15.0 },
    }));
    CAPTURE (range.expected);
    Loudness meter;
    meter.prepare (rate48k, 2);
    feedSineSegments (meter, 2, range.segments);
    CHECK (meter.loudnessRangeLu() == Approx (range.expected).margin (0.1)); // Tech 3342 allows +-1
}

TEST_CASE ("True peak finds the crest of an fs/4 sine sampled 45 degrees off it", "[features][loudness]")
{
    // Samples land at +-0.5 sin(45 deg): 3.01 dB below the crest the waveform reaches.
    Loudness meter;
    meter.prepare (rate48k, 2);
    const auto sine = phasedSine (rate48k, rate48k / 4.0, juce::MathConstants<double>::pi / 4.0, 0.5f, 48000);
    feedStereo (meter, sine, sine);

    CHECK (meter.samplePeakDbfs() == Approx (-9.03).margin (0.01));
    CHECK (meter.truePeakDbtp() == Approx (-6.02 - 0.1).margin (0.3)); // -6.02 +0.2 / -0.4 dB (EBU Tech 3341)
    CHECK (test::toDb (meter.lastTruePeakGain()) == Approx (meter.truePeakDbtp()).margin (1e-4));
}

TEST_CASE ("True peak at 44.1 kHz of a sine whose period is 10/3 samples", "[features][loudness]")
{
    // 13.23 kHz at 44.1 kHz: the samples cycle through phases 36 deg apart. Starting
    // 18 deg before the crest, no sample lands nearer either crest, so the samples
    // read cos (18 deg) = 0.44 dB below the true peak.
    constexpr double rate = 44100.0;
    const auto miss = juce::MathConstants<double>::pi / 10.0;
    const auto sine = phasedSine (rate, rate * 0.3, juce::MathConstants<double>::halfPi - miss, 0.5f, 44100);
    Loudness meter;
    meter.prepare (rate, 2);
    feedStereo (meter, sine, sine);

    CHECK (meter.samplePeakDbfs() == Approx (-6.02 + test::toDb (std::cos (miss))).margin (0.01));
    CHECK (meter.truePeakDbtp() == Approx (-6.02 - 0.1).margin (0.3));
}

TEST_CASE ("Loudness results do not depend on how the stream is split", "[features][loudness]")
{
    // 10 s of stereo noise and sine, with a level that changes every second.
    constexpr int length = 480000;
    constexpr int checkpointInterval = 1000;
    juce::AudioBuffer<float> signal (2, length);
    test::fillNoise (signal, 0.3f, 1234);
    for (int c = 0; c < 2; ++c)
        for (int i = 0; i < length; ++i)
        {
            const auto gain = 0.1f + 0.3f * static_cast<float> ((i / 48000 + c) % 4);
            const auto tone = std::sin (0.05 * static_cast<double> (i) * (1.0 + c));
            signal.setSample (c, i, gain * (signal.getSample (c, i) + 0.5f * static_cast<float> (tone)));
        }

    // Everything the meter reports, read every 1000 samples.
    const auto measure = [&] (int pieceSize)
    {
        Loudness meter;
        meter.prepare (rate48k, 2);
        std::vector<float> readings;
        for (int position = 0; position < length;)
        {
            // Pieces also end at every checkpoint, so all runs can be compared there.
            const auto size = std::min (pieceSize, checkpointInterval - position % checkpointInterval);
            const float* channels[] = { signal.getReadPointer (0, position), signal.getReadPointer (1, position) };
            meter.process (channels, size);
            position += size;
            if (position % checkpointInterval == 0)
                readings.insert (readings.end(), { meter.momentaryLufs(), meter.shortTermLufs(), meter.integratedLufs(),
                                                   meter.loudnessRangeLu(), meter.truePeakDbtp() });
        }
        return readings;
    };

    const auto reference = measure (1);
    REQUIRE (reference.size() == 5 * static_cast<size_t> (length / checkpointInterval));
    CHECK (reference[reference.size() - 5] > -30.0f); // momentary at the end
    CHECK (reference[reference.size() - 2] > 1.0f);   // loudness range at the end
    for (const auto pieceSize : { 37, 512, 4096 })
    {
        INFO ("piece size " << pieceSize);
        CHECK (measure (pieceSize) == reference); // bit-identical
    }
}

TEST_CASE ("A mono stream reads like stereo with that signal on both channels", "[features][loudness]")
{
    juce::AudioBuffer<float> stereo (2, 5 * 48000);
    test::fillNoise (stereo, 0.2f, 99);
    stereo.copyFrom (1, 0, stereo, 0, 0, stereo.getNumSamples());

    Loudness mono, both;
    mono.prepare (rate48k, 1);
    both.prepare (rate48k, 2);
    mono.process (stereo.getArrayOfReadPointers(), stereo.getNumSamples());
    both.process (stereo.getArrayOfReadPointers(), stereo.getNumSamples());

    REQUIRE (std::isfinite (both.integratedLufs()));
    CHECK (mono.integratedLufs() == Approx (both.integratedLufs()).margin (0.01));
    CHECK (mono.momentaryLufs() == Approx (both.momentaryLufs()).margin (0.01));
}

TEST_CASE ("Surround follows libebur128's default map: the LFE of 5.1 is not measured", "[features][loudness]")
{
    // A sine alone on L of a 5.1 stream reads like the same sine alone on L of a stereo stream.
    const auto sine = phasedSine (rate48k, 1000.0, 0.0, 0.25f, 5 * 48000);
    const std::vector<float> silence (sine.size(), 0.0f);
    Loudness surround, stereo, lfeOnly;
    surround.prepare (rate48k, 6);
    stereo.prepare (rate48k, 2);
    lfeOnly.prepare (rate48k, 6);
    std::vector<const float*> channels (6, silence.data());
    channels[0] = sine.data();
    surround.process (channels.data(), static_cast<int> (sine.size()));
    feedStereo (stereo, sine, silence);
    CHECK (surround.integratedLufs() == Approx (stereo.integratedLufs()).margin (0.01));

    std::swap (channels[0], channels[3]);
    lfeOnly.process (channels.data(), static_cast<int> (sine.size()));
    CHECK (lfeOnly.integratedLufs() == minusInf);
    CHECK (lfeOnly.truePeakDbtp() > -13.0f); // peaks still count every channel
}

TEST_CASE ("Levels read -inf in digital silence and until there is enough audio", "[features][loudness]")
{
    Loudness meter;
    meter.prepare (rate48k, 2);
    checkReadsNothing (meter);
    feedSineSegments (meter, 2, { { -std::numeric_limits<double>::infinity(), 5.0 } }); // all samples 0
    checkReadsNothing (meter);
    CHECK (meter.lastTruePeakGain() == 0.0f);

    meter.prepare (rate48k, 2);
    feedSineSegments (meter, 2, { { -23.0, 0.399 } });
    CHECK (meter.momentaryLufs() == minusInf);
    feedSineSegments (meter, 2, { { -23.0, 0.001 } });
    CHECK (meter.momentaryLufs() == Approx (-23.0).margin (0.1));
    CHECK (meter.shortTermLufs() == minusInf);
    feedSineSegments (meter, 2, { { -23.0, 2.6 } });
    CHECK (meter.shortTermLufs() == Approx (-23.0).margin (0.1));
}

TEST_CASE ("NaN and Inf samples are measured as silence and do not poison the meter", "[features][loudness]")
{
    Loudness meter;
    meter.prepare (rate48k, 2);
    auto bad = phasedSine (rate48k, 1000.0, 0.0, static_cast<float> (std::pow (10.0, -23.0 / 20.0)), 4800);
    bad[10] = std::numeric_limits<float>::quiet_NaN();
    bad[20] = std::numeric_limits<float>::infinity();
    feedStereo (meter, bad, bad);
    feedSineSegments (meter, 2, { { -23.0, 5.0 } });

    CHECK (meter.momentaryLufs() == Approx (-23.0).margin (0.1));
    CHECK (meter.integratedLufs() == Approx (-23.0).margin (0.1));
    // The zeroed samples make the waveform ring a little above the sine, but the Inf is not in the peak.
    CHECK (meter.truePeakDbtp() < -20.0f);
}

TEST_CASE ("lastTruePeakGain covers exactly the last process() call", "[features][loudness]")
{
    Loudness meter;
    meter.prepare (rate48k, 2);
    CHECK (meter.lastTruePeakGain() == 0.0f);

    // A call longer than the internal interleaving piece, loudest at its start.
    auto loud = phasedSine (rate48k, 1000.0, 0.0, 0.1f, 5000);
    loud[100] = 0.8f;
    feedStereo (meter, loud, loud);
    CHECK (meter.lastTruePeakGain() >= 0.8f);

    const auto quiet = phasedSine (rate48k, 1000.0, 0.0, 0.1f, 4800);
    feedStereo (meter, quiet, quiet);
    CHECK (meter.lastTruePeakGain() == Approx (0.1).margin (0.01));
    CHECK (meter.truePeakDbtp() >= static_cast<float> (test::toDb (0.8)));

    meter.process (nullptr, 0);
    CHECK (meter.lastTruePeakGain() == 0.0f);
}

TEST_CASE ("prepare() starts a new stream, and a failed prepare leaves a meter that reads -inf", "[features][loudness]")
{
    // clang-format off
    const auto [sampleRate, numChannels] = GENERATE (table<double, int> ({
        { 0.0, 2 }, { -48000.0, 2 }, { std::nan (""), 2 }, { 1.0e9, 2 }, { 48000.0, 0 }, { 48000.0, -1 }, { 48000.0, 65 } }));
    // clang-format on
    INFO ("rate " << sampleRate << ", channels " << numChannels);
    Loudness meter;
    meter.prepare (rate48k, 2);
    feedSineSegments (meter, 2, { { -10.0, 2.0 } });

    meter.prepare (sampleRate, numChannels);
    feedSineSegments (meter, 2, { { -10.0, 0.5 } });
    checkReadsNothing (meter);
    CHECK (meter.lastTruePeakGain() == 0.0f);

    meter.prepare (44100.0, 2);
    feedSineSegments (meter, 2, { { -30.0, 2.0 } }, 44100.0);
    CHECK (meter.integratedLufs() == Approx (-30.0).margin (0.1));
    CHECK (meter.truePeakDbtp() == Approx (-30.0).margin (0.1));
}

TEST_CASE ("Loudness process() and queries neither allocate nor lock", "[features][loudness][allocation][guard]")
{
    REQUIRE (test::ScopedAllocationGuard::isActive());
    // At 192 kHz TruePeak does not interpolate; at 22.05 kHz it does so 8x.
    const auto sampleRate = GENERATE (22050.0, 44100.0, 48000.0, 96000.0, 192000.0);
    CAPTURE (sampleRate);

    Loudness meter;
    meter.prepare (sampleRate, 2);
    juce::AudioBuffer<float> block (2, 4096);
    test::fillNoise (block, 0.5f, 7);

    const test::ScopedAllocationGuard guard;
    int nans = 0;
    int64_t fed = 0;
    for (int i = 0; fed < static_cast<int64_t> (4.0 * sampleRate); ++i) // past many gating and short-term blocks
    {
        const auto size = 1 + (i * 997) % 4096;
        meter.process (block.getArrayOfReadPointers(), size);
        fed += size;
        for (const auto value :
             { meter.momentaryLufs(), meter.shortTermLufs(), meter.integratedLufs(), meter.loudnessRangeLu(),
               meter.truePeakDbtp(), meter.samplePeakDbfs(), meter.lastTruePeakGain() })
            nans += std::isnan (value) ? 1 : 0;
    }
    CHECK (guard.allocations() == 0);
    CHECK (guard.deallocations() == 0);
    CHECK (guard.locks() == 0);
    CHECK (nans == 0);
    CHECK (std::isfinite (meter.shortTermLufs()));
}
