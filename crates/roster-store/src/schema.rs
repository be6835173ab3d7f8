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
    }
}

diesel::table! {
    member_labels (membership_id, label) {
        membership_id -> Text,
        org_id -> Text,
        label -> Text,
    }
}

diesel::joinable!(memberships -> organizations (org_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(audit_events -> organizations (org_id));
diesel::joinable!(member_labels -> memberships (membership_id));

diesel::allow_tables_to_appear_in_same_query!(users, organizations, memberships, audit_events, member_labels);
