//! The one hand-owned schema, in portable types only: ids and enums are TEXT,
//! times are UTC `Timestamp`s, JSON is TEXT.

diesel::table! {
    users (user_id) {
        user_id -> Text,
        email -> Text,
        password_hash -> Text,
        first_name -> Text,
        last_name -> Nullable<Text>,
        email_verified -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    organizations (org_id) {
        org_id -> Text,
        name -> Text,
        description -> Text,
        timezone -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        closed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    memberships (membership_id) {
        membership_id -> Text,
        org_id -> Text,
        user_id -> Text,
        role -> Text,
        status -> Text,
        display_name -> Nullable<Text>,
        member_level -> Nullable<Text>,
        private_notes -> Nullable<Text>,
        assigned_to_coach_id -> Nullable<Text>,
        joined_at -> Timestamp,
        updated_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
        version -> BigInt,
        sort_name -> Text,
        search_text -> Text,
        labels_text -> Text,
        last_activity_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (event_id) {
        event_id -> Text,
        org_id -> Text,
        actor_user_id -> Text,
        action -> Text,
        subject_user_id -> Nullable<Text>,
        changes -> Text,
        created_at -> Timestamp,
        webhooks_pending -> Bool,
    }
}

diesel::table! {
    training_plans (plan_id) {
        plan_id -> Text,
        org_id -> Text,
        name -> Text,
        description -> Text,
        sport -> Text,
        level -> Nullable<Text>,
        duration_weeks -> Integer,
        workouts -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        archived_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_by_key_id -> Nullable<Text>,
    }
}

diesel::table! {
    plan_assignments (assignment_id) {
        assignment_id -> Text,
        org_id -> Text,
        plan_id -> Text,
        user_id -> Text,
        start_date -> Text,
        end_date -> Text,
        total_weeks -> Integer,
        cancelled_at -> Nullable<Timestamp>,
        assigned_by -> Nullable<Text>,
        assigned_at -> Timestamp,
        assigned_by_key_id -> Nullable<Text>,
    }
}

diesel::table! {
    org_groups (group_id) {
        group_id -> Text,
        org_id -> Text,
        name -> Text,
        description -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    org_group_members (group_id, user_id) {
        group_id -> Text,
        user_id -> Text,
        org_id -> Text,
        added_at -> Timestamp,
        membership_id -> Text,
        sort_name -> Text,
        status -> Text,
        role -> Text,
    }
}

diesel::table! {
    group_plan_enrollments (enrollment_id) {
        enrollment_id -> Text,
        org_id -> Text,
        group_id -> Text,
        plan_id -> Text,
        start_date -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        created_by_key_id -> Nullable<Text>,
    }
}

diesel::table! {
    org_athlete_counts (org_id) {
        org_id -> Text,
        athletes -> BigInt,
    }
}

diesel::table! {
    member_labels (membership_id, label) {
        membership_id -> Text,
        org_id -> Text,
        label -> Text,
        user_id -> Text,
        sort_name -> Text,
        status -> Text,
        assigned_to_coach_id -> Nullable<Text>,
        role -> Text,
    }
}

diesel::joinable!(memberships -> organizations (org_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(audit_events -> organizations (org_id));
diesel::joinable!(member_labels -> memberships (membership_id));
diesel::joinable!(plan_assignments -> training_plans (plan_id));
diesel::joinable!(org_group_members -> org_groups (group_id));

diesel::table! {
    invitations (invitation_id) {
        invitation_id -> Text,
        org_id -> Text,
        kind -> Text,
        role -> Text,
        email -> Nullable<Text>,
        first_name -> Nullable<Text>,
        name -> Nullable<Text>,
        group_id -> Nullable<Text>,
        plan_id -> Nullable<Text>,
        plan_start_date -> Nullable<Text>,
        max_uses -> Nullable<BigInt>,
        use_count -> BigInt,
        expires_at -> Nullable<Timestamp>,
        status -> Text,
        revoked_at -> Nullable<Timestamp>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        last_sent_at -> Nullable<Timestamp>,
        send_count -> BigInt,
        created_by_key_id -> Nullable<Text>,
    }
}

diesel::table! {
    invitation_tokens (token_hash) {
        token_hash -> Text,
        invitation_id -> Text,
        created_at -> Timestamp,
        replaced_at -> Nullable<Timestamp>,
        link_nonce -> Nullable<Text>,
    }
}

diesel::table! {
    outbox (message_id) {
        message_id -> Text,
        org_id -> Nullable<Text>,
        invitation_id -> Nullable<Text>,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        created_at -> Timestamp,
        next_attempt_at -> Timestamp,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        erase_when_done -> Bool,
    }
}

diesel::joinable!(invitations -> organizations (org_id));
diesel::joinable!(invitation_tokens -> invitations (invitation_id));

diesel::table! {
    member_statuses (membership_id) {
        membership_id -> Text,
        org_id -> Text,
        version -> BigInt,
        cached_version -> Nullable<BigInt>,
        cache -> Nullable<Text>,
        valid_until -> Nullable<Timestamp>,
        settings_key -> Nullable<Text>,
        attention_order -> Integer,
        compliance_order -> Integer,
        queue_order -> Integer,
        signal_marks -> Nullable<Text>,
        user_id -> Text,
        sort_name -> Text,
        role -> Text,
        status_json -> Nullable<Text>,
    }
}

diesel::joinable!(member_statuses -> memberships (membership_id));

diesel::table! {
    attention_acknowledgements (membership_id, code) {
        membership_id -> Text,
        code -> Text,
        org_id -> Text,
        severity -> Text,
        data_version -> BigInt,
        note -> Nullable<Text>,
        acknowledged_by -> Nullable<Text>,
        acknowledged_at -> Timestamp,
        acknowledged_by_key_id -> Nullable<Text>,
    }
}

diesel::joinable!(attention_acknowledgements -> memberships (membership_id));

diesel::allow_tables_to_appear_in_same_query!(
    attention_acknowledgements,
    member_statuses,
    users,
    organizations,
    memberships,
    audit_events,
    training_plans,
    plan_assignments,
    org_groups,
    org_group_members,
    group_plan_enrollments,
    invitations,
    invitation_tokens,
    outbox,
    activities,
    race_goals,
    athlete_zones,
    integrations,
    member_labels,
    org_athlete_counts,
);

diesel::table! {
    activities (activity_id) {
        activity_id -> Text,
        user_id -> Text,
        sport -> Text,
        start_time -> Timestamp,
        distance_m -> Double,
        duration_s -> BigInt,
        elevation_gain_m -> Nullable<Double>,
        avg_hr -> Nullable<Integer>,
        title -> Nullable<Text>,
        source -> Text,
        external_id -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        created_by_key_id -> Nullable<Text>,
    }
}

diesel::table! {
    race_goals (race_goal_id) {
        race_goal_id -> Text,
        user_id -> Text,
        race_name -> Text,
        race_date -> Date,
        distance_m -> Double,
        goal_time_s -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    athlete_zones (user_id) {
        user_id -> Text,
        settings -> Text,
        has_heart_rate -> Bool,
        has_pace -> Bool,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    integrations (user_id, provider) {
        user_id -> Text,
        provider -> Text,
        status -> Text,
        connected_at -> Nullable<Timestamp>,
        last_sync_at -> Nullable<Timestamp>,
        external_athlete_id -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    workout_adjustments (assignment_id, workout_index) {
        assignment_id -> Text,
        workout_index -> Integer,
        org_id -> Text,
        user_id -> Text,
        week -> Integer,
        day -> Integer,
        moved_to -> Nullable<Text>,
        excuse_reason -> Nullable<Text>,
        excused_by -> Nullable<Text>,
        excused_at -> Nullable<Timestamp>,
        excused_by_key_id -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (session_id) {
        session_id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        issued_at -> Timestamp,
        rotated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_resets (token_hash) {
        token_hash -> Text,
        user_id -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));

diesel::allow_tables_to_appear_in_same_query!(sessions, refresh_tokens, users, password_resets);
// A browser session's lookup joins the account's memberships and their organizations.
diesel::allow_tables_to_appear_in_same_query!(sessions, memberships);
diesel::allow_tables_to_appear_in_same_query!(sessions, organizations);
diesel::allow_tables_to_appear_in_same_query!(refresh_tokens, memberships);
diesel::allow_tables_to_appear_in_same_query!(refresh_tokens, organizations);

diesel::table! {
    webhook_endpoints (endpoint_id) {
        endpoint_id -> Text,
        org_id -> Text,
        url -> Text,
        event_types -> Text,
        description -> Text,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        failing_since -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (delivery_id) {
        delivery_id -> Text,
        endpoint_id -> Text,
        org_id -> Text,
        event_id -> Nullable<Text>,
        event_type -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_attempts (attempt_id) {
        attempt_id -> Text,
        delivery_id -> Text,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        latency_ms -> BigInt,
        response_body -> Text,
        error -> Nullable<Text>,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::allow_tables_to_appear_in_same_query!(webhook_endpoints, webhook_deliveries, webhook_attempts, audit_events);

diesel::table! {
    member_imports (import_id) {
        import_id -> Text,
        org_id -> Text,
        actor_user_id -> Text,
        idempotency_key -> Nullable<Text>,
        fingerprint -> Text,
        report -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_keys (key_id) {
        key_id -> Text,
        org_id -> Text,
        secret_hash -> Text,
        name -> Text,
        scopes -> Text,
        prefix -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}
