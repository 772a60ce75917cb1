CREATE TABLE `order_events` (
	`pos` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`stream` text NOT NULL,
	`seq` integer NOT NULL,
	`order_id` text,
	`submitted_by` text,
	`type` text NOT NULL,
	`at` text NOT NULL,
	`revision` integer,
	`step` text,
	`actor` text NOT NULL,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `order_events_id_unique` ON `order_events` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `order_events_stream_seq` ON `order_events` (`stream`,`seq`);--> statement-breakpoint
CREATE INDEX `order_events_order` ON `order_events` (`order_id`,`pos`);--> statement-breakpoint
CREATE INDEX `order_events_type` ON `order_events` (`type`,`pos`);--> statement-breakpoint
CREATE INDEX `order_events_submitter` ON `order_events` (`submitted_by`,`pos`);--> statement-breakpoint
CREATE TABLE `order_intake` (
	`order_id` text PRIMARY KEY NOT NULL,
	`workflow_id` text NOT NULL,
	`body_hash` text NOT NULL,
	`submitted_by` text NOT NULL,
	`customer_id` text NOT NULL,
	`total_minor` integer NOT NULL,
	`submitted_at` text NOT NULL,
	`workflow_input` text NOT NULL,
	`workflow_started` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `order_intake_workflow_id_unique` ON `order_intake` (`workflow_id`);--> statement-breakpoint
CREATE INDEX `order_intake_customer` ON `order_intake` (`customer_id`);--> statement-breakpoint
CREATE INDEX `order_intake_unstarted` ON `order_intake` (`submitted_at`) WHERE "order_intake"."workflow_started" = 0;--> statement-breakpoint
-- Data: the intake half of every orders row moves to order_intake; refused decisions move into the event log.
INSERT INTO `order_intake` (`order_id`, `workflow_id`, `body_hash`, `submitted_by`, `customer_id`, `total_minor`, `submitted_at`, `workflow_input`, `workflow_started`)
  SELECT `order_id`, `workflow_id`, `body_hash`, `submitted_by`, `customer_id`, `total_minor`, `submitted_at`, `workflow_input`, `workflow_started`
  FROM `orders` WHERE `body_hash` <> '';--> statement-breakpoint
INSERT INTO `order_events` (`id`, `stream`, `seq`, `order_id`, `submitted_by`, `type`, `at`, `revision`, `step`, `actor`, `data`)
  SELECT 'refused-' || r.`id`, 'order:' || r.`order_id`,
    ROW_NUMBER() OVER (PARTITION BY r.`order_id` ORDER BY r.`at`, r.`id`),
    r.`order_id`, o.`submitted_by`, 'order.decision_refused', r.`at`, NULL, r.`step`, r.`actor`,
    json_object('reason', r.`reason`, 'status', r.`status`)
  FROM `refused_decisions` r LEFT JOIN `orders` o ON o.`order_id` = r.`order_id`;--> statement-breakpoint
DROP TABLE `refused_decisions`;--> statement-breakpoint
DROP INDEX `orders_workflow_id_unique`;--> statement-breakpoint
DROP INDEX `orders_unstarted`;--> statement-breakpoint
ALTER TABLE `orders` ADD `channel` text DEFAULT 'web' NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `escalated` integer DEFAULT false NOT NULL;--> statement-breakpoint
UPDATE `orders` SET `channel` = coalesce(json_extract(`state`, '$.order.channel'), 'web'),
  `escalated` = coalesce((SELECT max(json_extract(s.value, '$.escalated')) FROM json_each(json_extract(`state`, '$.steps')) s WHERE json_extract(s.value, '$.status') = 'awaiting_decision'), 0);--> statement-breakpoint
-- A row the workflow never wrote was only the intake's placeholder: the read model starts without it.
DELETE FROM `orders` WHERE `version` = 0;--> statement-breakpoint
CREATE INDEX `orders_submitted` ON `orders` (`submitted_at`,`order_id`);--> statement-breakpoint
ALTER TABLE `orders` DROP COLUMN `workflow_id`;--> statement-breakpoint
ALTER TABLE `orders` DROP COLUMN `body_hash`;--> statement-breakpoint
ALTER TABLE `orders` DROP COLUMN `workflow_input`;--> statement-breakpoint
ALTER TABLE `orders` DROP COLUMN `workflow_started`;