-- Conversations and messages, always scoped by user_id (the Supabase `sub`).
CREATE SCHEMA IF NOT EXISTS chat;

CREATE TABLE IF NOT EXISTS chat.conversations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id text NOT NULL,
    title text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    message_count integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS conversations_user_recent
    ON chat.conversations (user_id, updated_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS chat.messages (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES chat.conversations (id) ON DELETE CASCADE,
    turn integer NOT NULL,
    role text NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
    content text NOT NULL,
    response_type text,
    payload jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (conversation_id, turn, role)
);
CREATE INDEX IF NOT EXISTS messages_conversation_order ON chat.messages (conversation_id, turn, id);
