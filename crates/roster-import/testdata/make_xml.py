#!/usr/bin/env python3
"""Writes the synthetic GPX and TCX test files of roster-import (run from this folder).

The route runs due north along the meridian 6.0 E from 45.0 N, 450 steps of 0.0001 degree,
one point every 4 s: its haversine length is exactly R * 0.045 deg in radians with the mean
Earth radius R = 6371008.8 m (5003.77 m), its duration 1800 s. Elevation climbs linearly from
100 m to 150 m over the first half and comes back down (gain 50 m); heart rate alternates
140/160 bpm (average 150).
"""
import math

N = 450
START = 1795849200  # 2026-11-28T07:00:00Z


def points():
    for i in range(N + 1):
        lat = 45.0 + i * 0.0001
        half = N // 2
        ele = 100.0 + 50.0 * (i / half if i <= half else (N - i) / half)
        hr = 140 if i % 2 == 0 else 160
        t = START + 4 * i
        yield i, lat, ele, hr, t


def iso(t):
    import datetime
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


R = 6371008.8
step = R * math.radians(0.0001)

with open("route-5k.gpx", "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    f.write('<gpx version="1.1" creator="roster-import tests" xmlns="http://www.topografix.com/GPX/1/1" '
            'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n')
    f.write('  <metadata><name>Metadata name</name><time>%s</time></metadata>\n' % iso(START))
    f.write('  <trk>\n    <name>Morning run &amp; hill</name>\n    <type>running</type>\n    <trkseg>\n')
    for i, lat, ele, hr, t in points():
        f.write('      <trkpt lat="%.7f" lon="6.0000000"><ele>%.3f</ele><time>%s</time>'
                '<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>%d</gpxtpx:hr>'
                '</gpxtpx:TrackPointExtension></extensions></trkpt>\n' % (lat, ele, iso(t), hr))
    f.write('    </trkseg>\n  </trk>\n</gpx>\n')

with open("route-5k.tcx", "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    f.write('<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">\n')
    f.write('  <Activities>\n    <Activity Sport="Running">\n      <Id>%s</Id>\n' % iso(START))
    f.write('      <Lap StartTime="%s">\n        <TotalTimeSeconds>1800</TotalTimeSeconds>\n' % iso(START))
    f.write('        <DistanceMeters>%.2f</DistanceMeters>\n        <Track>\n' % (N * step))
    for i, lat, ele, hr, t in points():
        f.write('          <Trackpoint><Time>%s</Time><Position><LatitudeDegrees>%.7f</LatitudeDegrees>'
                '<LongitudeDegrees>6.0</LongitudeDegrees></Position><AltitudeMeters>%.3f</AltitudeMeters>'
                '<DistanceMeters>%.2f</DistanceMeters><HeartRateBpm><Value>%d</Value></HeartRateBpm>'
                '</Trackpoint>\n' % (iso(t), lat, ele, i * step, hr))
    f.write('        </Track>\n      </Lap>\n      <Notes>Tempo on the river path</Notes>\n')
    f.write('    </Activity>\n  </Activities>\n</TrainingCenterDatabase>\n')

# A treadmill run: no positions, the device's cumulative distance only (3000 m in 900 s).
with open("treadmill-3k.tcx", "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    f.write('<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">\n')
    f.write('  <Activities>\n    <Activity Sport="Running">\n      <Id>%s</Id>\n      <Lap StartTime="%s">\n'
            '        <Track>\n' % (iso(START), iso(START)))
    for i in range(0, 31):
        f.write('          <Trackpoint><Time>%s</Time><DistanceMeters>%.1f</DistanceMeters></Trackpoint>\n'
                % (iso(START + 30 * i), 100.0 * i))
    f.write('        </Track>\n      </Lap>\n    </Activity>\n  </Activities>\n</TrainingCenterDatabase>\n')
