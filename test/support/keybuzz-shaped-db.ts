/**
 * A synthetic database shaped like KeyBuzz's shared `keybuzz` database, for the cutover's
 * tests and bench: tenants (PROD customers and DEV's test tenants, ids interleaved), users,
 * conversations, messages, attachment metadata, a join table, a reference table the
 * tenants point at (plans) and a table with no path to a tenant (audit_events); users have a
 * manager (a self reference) and conversations an assignee (a diamond to the tenant). Volumes at
 * scale 1 are the audit's: 13 PROD tenants, 9 PROD users, 8,400 PROD conversations, 24,000
 * PROD messages; test tenants add about 10% more. Deterministic: the same scale gives the
 * same rows.
 */
import { Client } from "pg";

export const SCHEMA_SQL = `
CREATE TABLE plans (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE tenants (
  id bigserial PRIMARY KEY, name text NOT NULL, owner_email text NOT NULL,
  plan_id integer NOT NULL REFERENCES plans(id), created_at timestamptz NOT NULL);
CREATE TABLE users (
  id bigserial PRIMARY KEY, tenant_id bigint NOT NULL REFERENCES tenants(id),
  email text NOT NULL UNIQUE, display_name text, created_at timestamptz NOT NULL,
  manager_id bigint REFERENCES users(id));
CREATE TABLE conversations (
  id bigserial PRIMARY KEY, tenant_id bigint NOT NULL REFERENCES tenants(id),
  subject text NOT NULL, channel text NOT NULL, created_at timestamptz NOT NULL,
  assignee_id bigint REFERENCES users(id));
CREATE INDEX conversations_tenant ON conversations(tenant_id);
CREATE TABLE messages (
  id bigserial PRIMARY KEY, conversation_id bigint NOT NULL REFERENCES conversations(id),
  author_user_id bigint REFERENCES users(id), body text NOT NULL, sent_at timestamptz NOT NULL,
  meta jsonb NOT NULL DEFAULT '{}', score numeric(6,3));
CREATE INDEX messages_conversation ON messages(conversation_id);
CREATE TABLE attachments (
  id uuid PRIMARY KEY, message_id bigint NOT NULL REFERENCES messages(id),
  filename text NOT NULL, size_bytes bigint NOT NULL, sha256 bytea NOT NULL);
CREATE TABLE conversation_participants (
  conversation_id bigint NOT NULL REFERENCES conversations(id), user_id bigint NOT NULL REFERENCES users(id),
  role text NOT NULL, PRIMARY KEY (conversation_id, user_id));
CREATE TABLE audit_events (id bigserial PRIMARY KEY, occurred_at timestamptz NOT NULL, kind text NOT NULL, payload jsonb);
`;

/** The test tenants' owners: DEV's accounts, as the audit found them. */
export const TEST_OWNER_SUFFIX = "@example.com";

export async function loadKeybuzzShaped(c: Client, scale = 1): Promise<void> {
    const prodConversations = 8400 * scale;
    const prodMessages = 24000 * scale;
    const testConversations = 700 * scale;
    const testMessages = 2000 * scale;
    await c.query(SCHEMA_SQL);
    await c.query(`INSERT INTO plans(name) VALUES ('free'), ('pro'), ('enterprise')`);
    // 20 tenants, ids interleaved: every third one (2, 5, 8, …) is one of DEV's test tenants.
    await c.query(`INSERT INTO tenants(name, owner_email, plan_id, created_at)
        SELECT CASE WHEN i % 3 = 2 THEN 'testsaas-' || i ELSE 'Customer ' || i END,
               CASE WHEN i % 3 = 2 THEN 'testsaas-' || i || '${TEST_OWNER_SUFFIX}' ELSE 'owner' || i || '@customer' || i || '.fr' END,
               1 + i % 3, timestamptz '2026-01-01 00:00:00+00' + i * interval '1 day'
        FROM generate_series(1, 20) i`);
    await c.query(
        `CREATE TEMP TABLE prod_t AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM tenants WHERE owner_email NOT LIKE '%${TEST_OWNER_SUFFIX}'`,
    );
    await c.query(
        `CREATE TEMP TABLE test_t AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM tenants WHERE owner_email LIKE '%${TEST_OWNER_SUFFIX}'`,
    );
    // 9 PROD users, 12 test users, mixed.
    await c.query(`INSERT INTO users(tenant_id, email, display_name, created_at)
        SELECT tenant_id, email, 'User ' || n, timestamptz '2026-02-01 00:00:00+00' + n * interval '1 hour' FROM (
          SELECT n, CASE WHEN n % 2 = 0 AND n / 2 < 9 THEN (SELECT id FROM prod_t WHERE k = (n / 2) % 13) ELSE (SELECT id FROM test_t WHERE k = n % 7) END AS tenant_id,
                 CASE WHEN n % 2 = 0 AND n / 2 < 9 THEN 'agent' || n || '@customer.fr' ELSE 'testsaas-user' || n || '${TEST_OWNER_SUFFIX}' END AS email
          FROM generate_series(0, 20) n) u`);
    // Conversations of both kinds, ids mixed (ordered by a hash of their number).
    await c.query(`INSERT INTO conversations(tenant_id, subject, channel, created_at)
        SELECT tenant_id, subject, channel, created_at FROM (
          SELECT (SELECT id FROM prod_t WHERE k = g % 13) AS tenant_id, 'Order question #' || g AS subject, (ARRAY['email','amazon','chat'])[1 + g % 3] AS channel,
                 timestamptz '2026-03-01 00:00:00+00' + g * interval '1 minute' AS created_at, md5('p' || g) AS h FROM generate_series(0, ${prodConversations - 1}) g
          UNION ALL
          SELECT (SELECT id FROM test_t WHERE k = g % 7), 'Test conversation ' || g, 'email', timestamptz '2026-03-01 00:00:00+00' + g * interval '1 minute', md5('t' || g) FROM generate_series(0, ${testConversations - 1}) g
        ) x ORDER BY h`);
    await c.query(
        `CREATE TEMP TABLE prod_c AS SELECT row_number() OVER (ORDER BY c.id) - 1 AS k, c.id, c.tenant_id FROM conversations c JOIN prod_t USING (id) WHERE false`,
    );
    await c.query(
        `INSERT INTO prod_c SELECT row_number() OVER (ORDER BY c.id) - 1, c.id, c.tenant_id FROM conversations c WHERE c.tenant_id IN (SELECT id FROM prod_t)`,
    );
    await c.query(
        `CREATE TEMP TABLE test_c AS SELECT row_number() OVER (ORDER BY c.id) - 1 AS k, c.id, c.tenant_id FROM conversations c WHERE c.tenant_id IN (SELECT id FROM test_t)`,
    );
    await c.query(`CREATE INDEX ON prod_c(k); CREATE INDEX ON test_c(k)`);
    await c.query(`INSERT INTO messages(conversation_id, author_user_id, body, sent_at, meta, score)
        SELECT conversation_id, author, body, sent_at, meta, score FROM (
          SELECT pc.id AS conversation_id, (SELECT u.id FROM users u WHERE u.tenant_id = pc.tenant_id ORDER BY u.id LIMIT 1) AS author,
                 'Bonjour, message ' || g || ' — accents é à ü, quotes '' " and a tab	here' AS body,
                 timestamptz '2026-03-02 00:00:00+00' + g * interval '7 seconds' AS sent_at,
                 jsonb_build_object('n', g, 'tags', jsonb_build_array('a', g % 5)) AS meta, (g % 1000) / 7.0 AS score, md5('pm' || g) AS h
          FROM generate_series(0, ${prodMessages - 1}) g JOIN prod_c pc ON pc.k = g % ${prodConversations}
          UNION ALL
          SELECT tc.id, NULL, 'test message ' || g, timestamptz '2026-03-02 00:00:00+00' + g * interval '7 seconds', '{}'::jsonb, NULL, md5('tm' || g)
          FROM generate_series(0, ${testMessages - 1}) g JOIN test_c tc ON tc.k = g % ${testConversations}
        ) x ORDER BY h`);
    // One PROD message written by a test account: it reaches a PROD tenant but points at a
    // user who stays behind, so the plan must report it and the copy must leave it.
    await c.query(`UPDATE messages SET author_user_id = (SELECT id FROM users WHERE email LIKE 'testsaas-user%' ORDER BY id LIMIT 1)
        WHERE id = (SELECT m.id FROM messages m JOIN prod_c pc ON pc.id = m.conversation_id ORDER BY m.id LIMIT 1)`);
    // A self reference (each user's manager is the first user of the tenant) and a diamond
    // (a conversation reaches its tenant directly and through its assignee): the shape that
    // broke the first cutover, whose copy order followed one path only.
    await c.query(`UPDATE users u SET manager_id = m.id FROM users m
        WHERE m.tenant_id = u.tenant_id AND m.id = (SELECT min(id) FROM users x WHERE x.tenant_id = u.tenant_id) AND m.id <> u.id`);
    await c.query(
        `UPDATE conversations c SET assignee_id = (SELECT max(id) FROM users u WHERE u.tenant_id = c.tenant_id) WHERE c.id % 4 = 0`,
    );
    await c.query(`INSERT INTO attachments(id, message_id, filename, size_bytes, sha256)
        SELECT md5('att' || m.id)::uuid, m.id, 'invoice-' || m.id || '.pdf', 1000 + m.id % 5000, decode(md5(m.id::text) || md5(m.id::text), 'hex')
        FROM messages m WHERE m.id % 10 = 0`);
    await c.query(`INSERT INTO conversation_participants(conversation_id, user_id, role)
        SELECT c.id, u.id, 'agent' FROM conversations c JOIN LATERAL (SELECT id FROM users WHERE tenant_id = c.tenant_id ORDER BY id LIMIT 1) u ON true`);
    await c.query(`INSERT INTO audit_events(occurred_at, kind, payload)
        SELECT timestamptz '2026-04-01 00:00:00+00' + g * interval '1 minute', 'login', jsonb_build_object('n', g) FROM generate_series(1, 500) g`);
    await c.query(`DROP TABLE prod_t, test_t, prod_c, test_c`);
}

/** The rows a correct cutover of the non-test tenants moves, counted independently of the tool. */
export const EXPECTED_COUNTS_SQL = `
WITH pt AS (SELECT id FROM tenants WHERE owner_email NOT LIKE '%${TEST_OWNER_SUFFIX}'),
     pu AS (SELECT id FROM users WHERE tenant_id IN (SELECT id FROM pt)),
     pc AS (SELECT id FROM conversations WHERE tenant_id IN (SELECT id FROM pt)),
     pm AS (SELECT id FROM messages WHERE conversation_id IN (SELECT id FROM pc) AND (author_user_id IS NULL OR author_user_id IN (SELECT id FROM pu)))
SELECT 'public.plans' AS t, (SELECT count(*) FROM plans) AS n
UNION ALL SELECT 'public.tenants', (SELECT count(*) FROM pt)
UNION ALL SELECT 'public.users', (SELECT count(*) FROM pu)
UNION ALL SELECT 'public.conversations', (SELECT count(*) FROM pc)
UNION ALL SELECT 'public.messages', (SELECT count(*) FROM pm)
UNION ALL SELECT 'public.attachments', (SELECT count(*) FROM attachments WHERE message_id IN (SELECT id FROM pm))
UNION ALL SELECT 'public.conversation_participants', (SELECT count(*) FROM conversation_participants WHERE conversation_id IN (SELECT id FROM pc) AND user_id IN (SELECT id FROM pu))`;
