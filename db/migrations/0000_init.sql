CREATE TABLE `capacity_bookings` (
	`order_id` text NOT NULL,
	`revision` integer NOT NULL,
	`day` text NOT NULL,
	`hours` real NOT NULL,
	`booked_at` text NOT NULL,
	`released_at` text,
	PRIMARY KEY(`order_id`, `revision`, `day`)
);
--> statement-breakpoint
CREATE INDEX `capacity_bookings_day` ON `capacity_bookings` (`day`,`released_at`);--> statement-breakpoint
CREATE TABLE `capacity_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`hours_per_day` real NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `customers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`tier` text NOT NULL,
	`credit_limit_minor` integer NOT NULL,
	`open_balance_minor` integer NOT NULL,
	`allowed_payment_terms` text NOT NULL,
	`on_hold` integer NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `hold_releases` (
	`order_id` text NOT NULL,
	`revision` integer NOT NULL,
	`released_at` text NOT NULL,
	`reason` text NOT NULL,
	PRIMARY KEY(`order_id`, `revision`)
);
--> statement-breakpoint
CREATE TABLE `inbox_items` (
	`order_id` text NOT NULL,
	`step` text NOT NULL,
	`department` text NOT NULL,
	`customer_id` text NOT NULL,
	`total_minor` integer NOT NULL,
	`priority` text NOT NULL,
	`due_at` text NOT NULL,
	`waiting_since` text NOT NULL,
	`escalated` integer NOT NULL,
	PRIMARY KEY(`order_id`, `step`)
);
--> statement-breakpoint
CREATE INDEX `inbox_queue` ON `inbox_items` (`department`,(case "priority" when 'urgent' then 0 else 1 end),(case when "escalated" then 0 else 1 end),`due_at`,`order_id`,`step`);--> statement-breakpoint
CREATE INDEX `inbox_escalated` ON `inbox_items` (`escalated`,`priority`,`due_at`);--> statement-breakpoint
CREATE TABLE `material_reservations` (
	`order_id` text NOT NULL,
	`revision` integer NOT NULL,
	`material_id` text NOT NULL,
	`quantity` integer NOT NULL,
	`pre_purchase` integer DEFAULT 0 NOT NULL,
	`reserved_at` text NOT NULL,
	`released_at` text,
	PRIMARY KEY(`order_id`, `revision`, `material_id`)
);
--> statement-breakpoint
CREATE INDEX `material_reservations_active` ON `material_reservations` (`material_id`,`released_at`);--> statement-breakpoint
CREATE TABLE `materials` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`on_hand` integer NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `order_histories` (
	`order_id` text PRIMARY KEY NOT NULL,
	`workflow_id` text NOT NULL,
	`run_id` text NOT NULL,
	`history` text NOT NULL,
	`archived_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `orders` (
	`order_id` text PRIMARY KEY NOT NULL,
	`workflow_id` text NOT NULL,
	`body_hash` text NOT NULL,
	`submitted_by` text NOT NULL,
	`customer_id` text NOT NULL,
	`status` text NOT NULL,
	`revision` integer NOT NULL,
	`priority` text NOT NULL,
	`total_minor` integer NOT NULL,
	`submitted_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`completed_at` text,
	`state` text NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	`workflow_input` text NOT NULL,
	`workflow_started` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orders_workflow_id_unique` ON `orders` (`workflow_id`);--> statement-breakpoint
CREATE INDEX `orders_customer` ON `orders` (`customer_id`,`status`);--> statement-breakpoint
CREATE INDEX `orders_submitter` ON `orders` (`submitted_by`,`submitted_at`);--> statement-breakpoint
CREATE INDEX `orders_status` ON `orders` (`status`,`submitted_at`);--> statement-breakpoint
CREATE INDEX `orders_unstarted` ON `orders` (`submitted_at`) WHERE "orders"."workflow_started" = 0;--> statement-breakpoint
CREATE TABLE `principals` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`roles` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `principals_token_hash_unique` ON `principals` (`token_hash`);--> statement-breakpoint
CREATE TABLE `product_materials` (
	`sku` text NOT NULL,
	`material_id` text NOT NULL,
	`quantity_per_unit` real NOT NULL,
	PRIMARY KEY(`sku`, `material_id`),
	FOREIGN KEY (`sku`) REFERENCES `products`(`sku`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `products` (
	`sku` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`unit_price_minor` integer NOT NULL,
	`hours_per_unit` real NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `refused_decisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`order_id` text NOT NULL,
	`step` text NOT NULL,
	`actor` text NOT NULL,
	`at` text NOT NULL,
	`status` integer NOT NULL,
	`reason` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `refused_decisions_order` ON `refused_decisions` (`order_id`,`at`);