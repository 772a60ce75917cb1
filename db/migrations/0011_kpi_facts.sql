CREATE TABLE `order_kpi_facts` (
	`order_id` text PRIMARY KEY NOT NULL,
	`facts_version` integer NOT NULL,
	`facts` text,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`order_id`) ON UPDATE no action ON DELETE cascade
);
