#!/usr/bin/env python3
"""Regenerates Earshot's demo audio (the committed WAV files) from nothing but arithmetic.

Each file has answers known by construction, which the README's demo and the
tests can be checked against:
  demo-groove.wav  120 BPM, A minor (Am-Dm-E-Am), drums + bass + pad, 44.1 kHz stereo, 12 s, peak -1 dBFS
  demo-ballad.wav   76 BPM, C major (C-Am-F-G), plucked arpeggios, 44.1 kHz stereo, 12 s, peak -3 dBFS
  demo-tone.wav    1 kHz sine, peak -20 dBFS (RMS -23.01 dBFS), 48 kHz mono, 3 s

Usage: python3 Resources/Demo/make_demo.py  (writes next to this script)
"""

import math
import os
import random
import struct
import wave

HERE = os.path.dirname(os.path.abspath(__file__))


def midi_to_hz(note):
    return 440.0 * 2.0 ** ((note - 69) / 12.0)


def write_wav(name, rate, channels, peak_dbfs=None):
    """Writes 16-bit PCM; with peak_dbfs, first scales the mix to that sample peak."""
    frames = len(channels[0])
    peak = max(max(abs(x) for x in ch) for ch in channels)
    if peak_dbfs is not None:
        gain = 10 ** (peak_dbfs / 20) / peak
        channels = [[x * gain for x in ch] for ch in channels]
        peak *= gain
    path = os.path.join(HERE, name)
    with wave.open(path, "wb") as out:
        out.setnchannels(len(channels))
        out.setsampwidth(2)
        out.setframerate(rate)
        data = bytearray()
        for i in range(frames):
            for ch in channels:
                value = max(-1.0, min(1.0, ch[i]))
                data += struct.pack("<h", int(round(value * 32767)))
        out.writeframes(bytes(data))
    print(f"{name}: {frames / rate:.1f} s, peak {20 * math.log10(peak):.2f} dBFS")


def add(target, start, samples, gain=1.0):
    for i, s in enumerate(samples):
        j = start + i
        if j >= len(target):
            break
        target[j] += gain * s


def kick(rate):
    n = int(0.25 * rate)
    out, phase = [], 0.0
    for i in range(n):
        t = i / rate
        freq = 50 + 90 * math.exp(-t * 30)
        phase += 2 * math.pi * freq / rate
        out.append(math.sin(phase) * math.exp(-t * 12))
    return out


def noise_hit(rate, seconds, decay, seed, tone=0.0, tone_hz=180.0):
    rng = random.Random(seed)
    n = int(seconds * rate)
    out, previous = [], 0.0
    for i in range(n):
        t = i / rate
        white = rng.uniform(-1, 1)
        bright = white - previous  # first difference: a crude high-pass
        previous = white
        body = tone * math.sin(2 * math.pi * tone_hz * t)
        out.append((0.6 * bright + body) * math.exp(-t * decay))
    return out


def tone(rate, freq, seconds, harmonics, decay=0.0, attack=0.005):
    n = int(seconds * rate)
    out = []
    for i in range(n):
        t = i / rate
        env = min(1.0, t / attack) * (math.exp(-t * decay) if decay else 1.0)
        release = min(1.0, (seconds - t) / 0.05)
        s = sum(a * math.sin(2 * math.pi * freq * h * t) for h, a in harmonics)
        out.append(s * env * max(release, 0.0))
    return out


def groove():
    rate, seconds, bpm = 44100, 12.0, 120.0
    n = int(rate * seconds)
    left, right = [0.0] * n, [0.0] * n
    beat = int(rate * 60 / bpm)
    k = kick(rate)
    snare = noise_hit(rate, 0.2, 18, 1, tone=0.5)
    hat = noise_hit(rate, 0.05, 60, 2)
    for b in range(int(seconds * bpm / 60)):
        start = b * beat
        for ch in (left, right):
            add(ch, start, k, 0.55)
            if b % 2 == 1:
                add(ch, start, snare, 0.3)
        add(left, start, hat, 0.12)
        add(right, start + beat // 2, hat, 0.12)

    chords = [(57, 60, 64), (50, 53, 57), (52, 56, 59), (57, 60, 64)]  # Am Dm E Am (E with G#: clearly A minor)
    bar = 4 * beat
    pad_harmonics = [(1, 1.0), (2, 0.3), (3, 0.15)]
    for c in range(int(n / bar)):
        notes = chords[c % 4]
        for idx, note in enumerate(notes):
            p = tone(rate, midi_to_hz(note + 12), bar / rate, pad_harmonics, attack=0.08)
            add(left, c * bar, p, 0.05 if idx != 2 else 0.03)
            add(right, c * bar, p, 0.03 if idx != 2 else 0.05)
        root = notes[0] - 12
        for half in range(8):
            b = tone(rate, midi_to_hz(root), beat / 2 / rate, [(1, 1.0), (2, 0.4)], decay=6)
            for ch in (left, right):
                add(ch, c * bar + half * beat // 2, b, 0.18)
    write_wav("demo-groove.wav", rate, [left, right], peak_dbfs=-1.0)


def ballad():
    rate, seconds, bpm = 44100, 12.0, 76.0
    n = int(rate * seconds)
    left, right = [0.0] * n, [0.0] * n
    beat = int(rate * 60 / bpm)
    eighth = beat // 2
    chords = [(60, 64, 67), (57, 60, 64), (53, 57, 60), (55, 59, 62)]  # C Am F G
    pluck = [(1, 1.0), (2, 0.5), (3, 0.25), (4, 0.12)]
    bar = 4 * beat
    for c in range(int(n / bar) + 1):
        notes = chords[c % 4]
        pattern = [notes[0], notes[1], notes[2], notes[1] + 12, notes[2], notes[1], notes[0] + 12, notes[2]]
        for step, note in enumerate(pattern):
            p = tone(rate, midi_to_hz(note), 1.2, pluck, decay=3.5)
            pan = 0.35 + 0.3 * (step % 2)
            add(left, c * bar + step * eighth, p, 0.16 * (1 - pan))
            add(right, c * bar + step * eighth, p, 0.16 * pan)
        bass = tone(rate, midi_to_hz(notes[0] - 24), bar / rate, [(1, 1.0), (2, 0.2)], decay=0.8)
        for ch in (left, right):
            add(ch, c * bar, bass, 0.12)
    write_wav("demo-ballad.wav", rate, [left, right], peak_dbfs=-3.0)


def reference_tone():
    rate, seconds = 48000, 3.0
    amplitude = 10 ** (-20 / 20)
    samples = [amplitude * math.sin(2 * math.pi * 1000 * i / rate) for i in range(int(rate * seconds))]
    write_wav("demo-tone.wav", rate, [samples])


if __name__ == "__main__":
    groove()
    ballad()
    reference_tone()
