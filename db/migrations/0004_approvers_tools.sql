CREATE TABLE `delegations` (
	`from_id` text PRIMARY KEY NOT NULL,
	`to_id` text NOT NULL,
	`until` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `delegations_to` ON `delegations` (`to_id`,`until`);--> statement-breakpoint
DROP INDEX `inbox_queue`;--> statement-breakpoint
ALTER TABLE `inbox_items` ADD `customer_name` text;--> statement-breakpoint
ALTER TABLE `inbox_items` ADD `currency` text;--> statement-breakpoint
ALTER TABLE `inbox_items` ADD `claimed_by` text;--> statement-breakpoint
ALTER TABLE `inbox_items` ADD `findings` text;--> statement-breakpoint
ALTER TABLE `inbox_items` ADD `rank_at` text;--> statement-breakpoint
ALTER TABLE `inbox_items` ADD `priority_reasons` text;--> statement-breakpoint
CREATE INDEX `inbox_queue` ON `inbox_items` (`department`,(case "priority" when 'urgent' then 0 else 1 end),(case when "escalated" then 0 else 1 end),coalesce("rank_at", "due_at"),`order_id`,`step`);