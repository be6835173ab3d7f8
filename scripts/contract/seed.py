"""Seeds a fresh roster server with one of everything the contract test needs
real ids for (an organization, its head coach, an assistant coach, an athlete,
a group, a plan and its assignment, an invitation, a race goal, an activity,
zones) and prints them as KEY=value lines for the schemathesis configuration.

Usage: python3 seed.py BASE_URL    (e.g. http://127.0.0.1:8080)
"""

import datetime
import json
import sys
import urllib.error
import urllib.request

BASE = sys.argv[1].rstrip("/") + "/api/v1"
PASSWORD = "Contract123"


def call(method, path, token=None, body=None, expect=(200, 201, 204)):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            status, text = res.status, res.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    if status not in expect:
        sys.exit(f"seed: {method} {path} answered {status}: {text}")
    return json.loads(text) if text else None


def account(handle, first):
    res = call("POST", "/auth/signup", body={
        "email": f"{handle}@contract.test", "password": PASSWORD, "first_name": first, "last_name": "Contract"})
    return res["access_token"], res["user"]["user_id"]


head_token, head_id = account("head", "Hana")
assistant_token, assistant_id = account("assistant", "Aron")
athlete_token, athlete_id = account("athlete", "Ada")
account("newcomer", "Nia")  # an account with no membership, for adds and lookups
# Signing out, everywhere, and changing the password end sessions: they get
# an account of their own, so the head coach's token lives through the run.
session_token, _ = account("session", "Sam")

org = call("POST", "/organizations", head_token, {"name": "Contract Club", "timezone": "UTC"})
org_id = org["org_id"]
o = f"/organizations/{org_id}"
call("POST", f"{o}/coaches", head_token, {"email": "assistant@contract.test"})
call("POST", f"{o}/members", head_token, {"email": "athlete@contract.test", "labels": ["@marathon"],
                                          "assigned_to_coach_id": assistant_id})
group_id = call("POST", f"{o}/groups", head_token, {"name": "Tuesday track"})["group_id"]
call("PUT", f"{o}/groups/{group_id}/members/{athlete_id}", head_token)
plan = call("POST", f"{o}/training-plans", head_token, {
    "name": "10k base", "sport": "run", "duration_weeks": 4,
    "workouts": [{"week": 1, "day": 2, "title": "Easy run", "distance_m": 6000}]})
plan_id = plan["plan_id"]
start = (datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=1)).isoformat()
assignment_id = call("POST", f"{o}/members/{athlete_id}/plan-assignments", head_token,
                     {"plan_id": plan_id, "start_date": start})["assignment_id"]
issued = call("POST", f"{o}/invitations", head_token, {
    "kind": "single_use", "email": "invitee@contract.test", "first_name": "Ivo"})
invitation_id = issued["invitation"]["invitation_id"]
token = issued["invite_url"].rstrip("/").rsplit("/", 1)[1]
race_day = (datetime.date.today() + datetime.timedelta(days=60)).isoformat()
goal_id = call("POST", f"{o}/members/{athlete_id}/race-goals", head_token, {
    "race_name": "City 10k", "race_date": race_day, "distance_m": 10000, "goal_time_s": 2700})["race_goal_id"]
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
call("POST", f"{o}/members/{athlete_id}/activities", athlete_token, {
    "sport": "run", "start_time": (now - datetime.timedelta(days=1)).isoformat().replace("+00:00", "Z"),
    "distance_m": 8000, "duration_s": 2700, "source": "manual"})
call("PUT", f"{o}/members/{athlete_id}/zones", head_token, {
    "heart_rate": {"max_bpm": 190, "zones": [{"name": "Z1", "min_bpm": 100, "max_bpm": 140}]}})
call("PUT", "/me/integrations/strava", athlete_token, {"external_athlete_id": "42"})

# Each DELETE gets a resource of its own, so the rest of the run keeps the
# seeded ones above.
_, spare_coach_id = account("spare-coach", "Sven")
call("POST", f"{o}/coaches", head_token, {"email": "spare-coach@contract.test"})
_, leaver_id = account("leaver", "Lea")
call("POST", f"{o}/members", head_token, {"email": "leaver@contract.test"})
spare_group_id = call("POST", f"{o}/groups", head_token, {"name": "Spare group"})["group_id"]
spare_plan_id = call("POST", f"{o}/training-plans", head_token, {
    "name": "Spare plan", "sport": "bike", "duration_weeks": 1})["plan_id"]
later = (datetime.date.today() + datetime.timedelta(days=90)).isoformat()
spare_assignment_id = call("POST", f"{o}/members/{athlete_id}/plan-assignments", head_token,
                           {"plan_id": plan_id, "start_date": later})["assignment_id"]
spare_invitation_id = call("POST", f"{o}/invitations", head_token, {
    "kind": "multi_use", "name": "Spare link"})["invitation"]["invitation_id"]
spare_goal_id = call("POST", f"{o}/members/{athlete_id}/race-goals", head_token, {
    "race_name": "Spare race", "race_date": race_day, "distance_m": 5000})["race_goal_id"]

for key, value in {
    "HEAD_TOKEN": head_token, "ATHLETE_TOKEN": athlete_token, "SESSION_TOKEN": session_token, "ORG_ID": org_id, "HEAD_ID": head_id,
    "ASSISTANT_ID": assistant_id, "ATHLETE_ID": athlete_id, "GROUP_ID": group_id, "PLAN_ID": plan_id,
    "ASSIGNMENT_ID": assignment_id, "INVITATION_ID": invitation_id, "INVITATION_TOKEN": token, "GOAL_ID": goal_id,
    "SPARE_COACH_ID": spare_coach_id, "LEAVER_ID": leaver_id, "SPARE_GROUP_ID": spare_group_id,
    "SPARE_PLAN_ID": spare_plan_id, "SPARE_ASSIGNMENT_ID": spare_assignment_id,
    "SPARE_INVITATION_ID": spare_invitation_id, "SPARE_GOAL_ID": spare_goal_id,
}.items():
    print(f"{key}={value}")
