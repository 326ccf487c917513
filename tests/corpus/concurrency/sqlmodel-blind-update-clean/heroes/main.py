from fastapi import FastAPI
from pydantic import BaseModel
from sqlmodel import Field, Session, SQLModel, create_engine, select

engine = create_engine("sqlite:///heroes.db")
app = FastAPI()


class Hero(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    team: str | None = None


class HeroUpdate(BaseModel):
    name: str | None = None
    team: str | None = None


@app.patch("/heroes/{hero_id}")
def update(hero_id: int, body: HeroUpdate) -> Hero:
    with Session(engine) as session:
        hero = session.exec(select(Hero).where(Hero.id == hero_id)).one()
        for key, value in body.model_dump(exclude_unset=True).items():
            setattr(hero, key, value)
        hero.team = (body.team or hero.team or "").strip() or None
        session.add(hero)
        session.commit()
        session.refresh(hero)
        return hero
