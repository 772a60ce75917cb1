CREATE TABLE `notifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_id` text NOT NULL,
	`order_id` text,
	`recipient` text NOT NULL,
	`email` text NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`error` text,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_event_recipient` ON `notifications` (`event_id`,`recipient`);--> statement-breakpoint
CREATE INDEX `notifications_order` ON `notifications` (`order_id`,`id`);--> statement-breakpoint
CREATE TABLE `relay_checkpoints` (
	`relay_id` text PRIMARY KEY NOT NULL,
	`pos` integer NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `tracking_links` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`token_sealed` text NOT NULL,
	`order_id` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text
);
--> statement-breakpoint
CREATE INDEX `tracking_links_order` ON `tracking_links` (`order_id`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`webhook_id` text NOT NULL,
	`event_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`at` text NOT NULL,
	`outcome` text NOT NULL,
	`http_status` integer,
	`error` text,
	`lag_ms` integer
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_webhook` ON `webhook_deliveries` (`webhook_id`,`id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_event` ON `webhook_deliveries` (`webhook_id`,`event_id`);--> statement-breakpoint
CREATE TABLE `webhooks` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`own_orders_only` integer NOT NULL,
	`url` text NOT NULL,
	`types` text NOT NULL,
	`description` text,
	`secret_sealed` text NOT NULL,
	`created_at` text NOT NULL,
	`deleted_at` text
);
