#!/usr/bin/env python3
"""Times Earshot's full analysis against the tools Debian ships for the same
measures, on the same file, in the same run, and checks that integrated
loudness agrees with ffmpeg's ebur128 filter.

Usage: peers.py EARSHOT_BINARY WORK_DIR

Writes a 10-minute stereo 44.1 kHz test file (music-like: drums, bass, chords)
into WORK_DIR with sox, then runs each tool three times and keeps the fastest
wall-clock time. Prints a Markdown table; exits non-zero if a tool is missing.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time

SECONDS = 600.0


def make_signal(path):
    if os.path.exists(path):
        return
    # A 124 BPM groove: kick (decaying 55 Hz), hats (noise bursts), an A minor / F / C / G pad.
    beat = 60.0 / 124.0
    subprocess.run(
        ["sox", "-n", "-r", "44100", "-c", "2", "-b", "16", path + ".beat.wav",
         "synth", f"{beat:.6f}", "sine", "55", "fade", "l", "0", f"{beat:.6f}", f"{beat * 0.9:.6f}",
         "synth", f"{beat:.6f}", "pinknoise", "mix", "fade", "q", "0.002", f"{beat:.6f}", f"{beat * 0.95:.6f}",
         "gain", "-6", "repeat", str(int(SECONDS / beat))],
        check=True)
    subprocess.run(
        ["sox", "-n", "-r", "44100", "-c", "2", "-b", "16", path + ".pad.wav",
         "synth", f"{4 * beat:.6f}", "sine", "220", "sine", "261.63", "sine", "329.63",
         "synth", f"{4 * beat:.6f}", "sine", "mix", "174.61",
         "gain", "-18", "repeat", str(int(SECONDS / (4 * beat)))],
        check=True)
    subprocess.run(["sox", "-m", path + ".beat.wav", path + ".pad.wav", path, "trim", "0", str(SECONDS), "gain", "-n", "-1"],
                   check=True)
    os.remove(path + ".beat.wav")
    os.remove(path + ".pad.wav")


def best_time(command, runs=3):
    best, output = None, None
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()[-300:]}")
        output = done.stdout + done.stderr
        best = elapsed if best is None else min(best, elapsed)
    return best, output


def main():
    earshot, work = sys.argv[1], sys.argv[2]
    for tool in ("ffmpeg", "aubio", "sox"):
        if shutil.which(tool) is None:
            sys.exit(f"peers.py: {tool} is not installed (bash .ci/setup installs it)")
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "peers-10min.wav")
    make_signal(path)

    rows = []
    earshot_time, earshot_out = best_time([earshot, "analyze", path, "--json", "--jobs", "1"])
    report = json.loads(earshot_out[earshot_out.index("["):])[0]
    earshot_lufs = report["loudness"]["integratedLufs"]
    rows.append(("earshot analyze (all features, 1 core)", earshot_time, "everything below"))

    ffmpeg_time, ffmpeg_out = best_time(["ffmpeg", "-nostats", "-hide_banner", "-i", path, "-af", "ebur128=peak=true",
                                         "-f", "null", "-"])
    ffmpeg_lufs = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", ffmpeg_out)[-1])
    rows.append(("ffmpeg -af ebur128=peak=true (loudness, true peak)", ffmpeg_time, "loudness"))

    for name, command in (("aubio tempo", ["aubio", "tempo", path]),
                          ("aubio onset", ["aubio", "onset", path]),
                          ("sox stats", ["sox", path, "-n", "stats"])):
        elapsed, _ = best_time(command)
        rows.append((name, elapsed, name.split()[-1]))

    print(f"Signal: {SECONDS / 60:.0f} minutes, stereo, 44.1 kHz, 16-bit WAV (music-like, made with sox). "
          f"Wall-clock time, best of 3.")
    print()
    print("| tool | seconds | x realtime | Earshot (all features) vs this tool |")
    print("|:---|---:|---:|---:|")
    for name, elapsed, _ in rows:
        ratio = elapsed / earshot_time
        print(f"| {name} | {elapsed:.2f} | {SECONDS / elapsed:.0f}x | "
              f"{'1.00x' if name.startswith('earshot') else f'{ratio:.2f}x faster' if ratio >= 1 else f'{1 / ratio:.2f}x slower'} |")
    print()
    difference = abs(earshot_lufs - ffmpeg_lufs)
    print(f"Integrated loudness: Earshot {earshot_lufs:.2f} LUFS, ffmpeg {ffmpeg_lufs:.2f} LUFS, "
          f"difference {difference:.2f} LU (target <= 0.1 LU: {'met' if difference <= 0.1 else 'MISSED'}).")


if __name__ == "__main__":
    main()
