-- 0020_teams_task_comments.sql
--
-- Project-task comments, for "add a Teams message to a task"
-- (update_from_message on a project task).  The PSA keeps task comments in
-- project_task_comments, threaded through comment_threads.project_task_id
-- (psa-schema.md section 2.2 names the table but does not list it); this
-- creates a minimal table of that name only where it is missing, so in a
-- PSA database nothing changes.  Safe to re-run.

CREATE TABLE IF NOT EXISTS project_task_comments (
    tenant            uuid NOT NULL,
    task_comment_id   uuid NOT NULL DEFAULT gen_random_uuid(),
    task_id           uuid NOT NULL,
    user_id           uuid,
    note              text NOT NULL,
    markdown_content  text,
    metadata          jsonb,
    thread_id         uuid,
    created_at        timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at        timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT project_task_comments_pkey PRIMARY KEY
        (tenant, task_comment_id),
    CONSTRAINT project_task_comments_tenant_task_id_foreign FOREIGN KEY
        (tenant, task_id) REFERENCES project_tasks (tenant, task_id)
        ON DELETE CASCADE,
    CONSTRAINT project_task_comments_tenant_user_id_foreign FOREIGN KEY
        (tenant, user_id) REFERENCES users (tenant, user_id)
);

CREATE INDEX IF NOT EXISTS project_task_comments_task_idx
    ON project_task_comments (tenant, task_id);
