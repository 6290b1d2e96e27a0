-- Report requests and their links (docs/analysis.md, "Report requests" and
-- "Messages to customers").
--
-- One open link per customer: a new request (or a reset) supersedes the
-- customer's open one (status 5, Superseded), naming its successor.
ALTER TABLE ba_report_requests ADD COLUMN superseded_by TEXT;

-- Customers who already hold several open requests keep the newest one.
UPDATE ba_report_requests SET status = 5, superseded_by = (
        SELECT n.id FROM ba_report_requests n
        WHERE n.customer_id = ba_report_requests.customer_id AND n.status = 1 AND n.job_state IS NULL
        ORDER BY n.created_at DESC, n.id DESC LIMIT 1)
    WHERE status = 1 AND job_state IS NULL AND EXISTS (
        SELECT 1 FROM ba_report_requests n
        WHERE n.customer_id = ba_report_requests.customer_id AND n.status = 1 AND n.job_state IS NULL
          AND (n.created_at > ba_report_requests.created_at
               OR (n.created_at = ba_report_requests.created_at AND n.id > ba_report_requests.id)));

-- Open: Pending with the link not used yet. The index decides between two
-- requests created at once for one customer.
CREATE UNIQUE INDEX ba_report_requests_open ON ba_report_requests(customer_id)
    WHERE status = 1 AND job_state IS NULL;

-- Outbox delivery: when a message is next tried (NULL: at once). A sender
-- claims a message by moving it forward (a lease), so two nodes never send
-- one message at once; a retry sets it to now + backoff.
ALTER TABLE ba_outbox ADD COLUMN next_attempt_at BIGINT;
CREATE INDEX ba_outbox_request ON ba_outbox(report_request_id, created_at);

-- merchantId in reports built before: the analysis credential's merchant id
-- (what `admin tenant create` prints), not the tenant id.
UPDATE ba_reports SET data_json = REPLACE(data_json,
        '"merchantId":"' || tenant_id || '"',
        '"merchantId":"' || (SELECT c.public_id FROM credentials c
                             WHERE c.tenant_id = ba_reports.tenant_id AND c.product = 'analysis') || '"')
    WHERE EXISTS (SELECT 1 FROM credentials c WHERE c.tenant_id = ba_reports.tenant_id AND c.product = 'analysis');
