from fastapi import APIRouter, Request

router = APIRouter()


@router.get("/orders/{order_id}/availability")
async def availability(order_id: str, request: Request) -> dict:
    resp = await request.app.state.inventory.get(f"/orders/{order_id}/availability")
    return resp.json()
