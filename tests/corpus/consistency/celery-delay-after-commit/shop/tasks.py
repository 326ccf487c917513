from celery import Celery

celery_app = Celery("shop", broker="redis://redis:6379/0")


@celery_app.task(acks_late=True)
def send_receipt(order_id: int) -> None:
    print(f"sending receipt for {order_id}")


@celery_app.task
def update_search_index(product_id: int) -> None:
    print(f"reindex {product_id}")
