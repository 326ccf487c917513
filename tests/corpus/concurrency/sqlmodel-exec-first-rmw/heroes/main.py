from fastapi import Depends, FastAPI, HTTPException
from sqlmodel import Field, Session, SQLModel, create_engine, select

engine = create_engine("sqlite:///heroes.db", connect_args={"check_same_thread": False})
app = FastAPI()


class Hero(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    gold: int = 0
    level: int = 1


def get_session():
    with Session(engine) as session:
        yield session


@app.post("/heroes/{hero_id}/reward")
def reward(hero_id: int, gold: int, session: Session = Depends(get_session)) -> Hero:
    hero = session.exec(select(Hero).where(Hero.id == hero_id)).first()
    if hero is None:
        raise HTTPException(404)
    hero.gold = hero.gold + gold  # expect: SP701
    session.add(hero)
    session.commit()
    session.refresh(hero)
    return hero


@app.patch("/heroes/{hero_id}")
def rename(hero_id: int, name: str, session: Session = Depends(get_session)) -> Hero:
    hero = session.get(Hero, hero_id)
    hero.name = name
    session.add(hero)
    session.commit()
    return hero
